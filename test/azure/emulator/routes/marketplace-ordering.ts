/**
 * Microsoft.MarketplaceOrdering MarketplaceAgreements_Get (specification/marketplaceordering,
 * api-version 2021-01-01 as @azure/arm-marketplaceordering 3.1.1 sends): whether the terms of a
 * Marketplace plan are accepted for the subscription, from the attached EnvironmentCatalog.
 */
import { ArmError } from "../arm-error";
import { environmentOf, requireSubscription } from "../environment";
import type { Route } from "../route";

const V = "2021-01-01";
const TERMS =
  "/subscriptions/{subscriptionId}/providers/Microsoft.MarketplaceOrdering/offerTypes/{offerType}/publishers/{publisherId}/offers/{offerId}/plans/{planId}/agreements/current";

export const marketplaceOrderingRoutes: Route[] = [
  {
    name: "MarketplaceAgreements_Get",
    method: "GET",
    path: TERMS,
    apiVersion: V,
    handle: (ctx) => {
      const catalog = environmentOf(ctx);
      requireSubscription(ctx, catalog);
      const { subscriptionId, offerType, publisherId, offerId, planId } = ctx.params as Record<
        string,
        string
      >;
      if (offerType !== "virtualmachine") {
        throw new ArmError(
          400,
          "BadRequest",
          `The offer type '${offerType}' is not supported; use 'virtualmachine'.`,
        );
      }
      const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
      const agreement = catalog.agreements.find(
        (a) => same(a.publisher, publisherId) && same(a.product, offerId) && same(a.name, planId),
      );
      if (!agreement) {
        throw new ArmError(
          404,
          "NotFound",
          `Offer with PublisherId: '${publisherId}', OfferId: '${offerId}' and PlanId '${planId}' was not found.`,
        );
      }
      return {
        status: 200,
        body: {
          id: `/subscriptions/${subscriptionId}/providers/Microsoft.MarketplaceOrdering/offerTypes/VirtualMachine/publishers/${publisherId}/offers/${offerId}/plans/${planId}/agreements/current`,
          name: planId,
          type: "Microsoft.MarketplaceOrdering/offertypes",
          properties: {
            publisher: publisherId,
            product: offerId,
            plan: planId,
            licenseTextLink: `https://mpcprodsa.blob.core.windows.net/legalterms/3E5ED_legalterms_${publisherId}.txt`,
            privacyPolicyLink: "https://www.microsoft.com/privacystatement",
            marketplaceTermsLink:
              "https://mpcprodsa.blob.core.windows.net/marketplaceterms/3EDEF_marketplaceterms_VIRTUALMACHINE.txt",
            retrieveDatetime: "2026-04-13T08:00:00.0000000Z",
            signature: "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            accepted: agreement.accepted,
          },
        },
      };
    },
  },
];
