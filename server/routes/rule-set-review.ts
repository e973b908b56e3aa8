import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireRoles } from "../auth.ts";
import { REVIEW_ACTIONS } from "../review/four-eyes.ts";
import { labelSchema, revisionField, TAGS, versionParams, versionSchema } from "./rule-set-schemas.ts";
import { actorOf, type RuleSetRouteOptions, revisionOf, withFile } from "./rule-sets.ts";

const verdictSchema = z.object({
  allowed: z.boolean(),
  code: z.string().optional().describe("the error code the server answers when it is tried anyway"),
  reason: labelSchema.optional().describe("why not, in Chinese and English, for the disabled button"),
});

/**
 * The review of rule-set versions: submit, withdraw, approve (publish with an effective date),
 * reject — four eyes as server/review/four-eyes.ts says — and, for the editor's buttons, what
 * the current user may do now and why not. Officers submit and withdraw; approvers decide, never
 * on a version they wrote, edited, submitted or withdrew. Admins hold both, under the same rule.
 */
export const ruleSetReviewRoutes: FastifyPluginAsyncZod<RuleSetRouteOptions> = async (
  r,
  { store, workflow },
) => {
  const readers = requireRoles(store, "officer", "approver", "clerk", "tester", "admin");
  const officers = requireRoles(store, "officer", "admin");
  const approvers = requireRoles(store, "approver", "admin");

  r.get(
    "/rule-sets/versions/:id/actions",
    {
      schema: {
        tags: TAGS,
        summary:
          "What the current user may do with this version now, and why not (four eyes shown before the click)",
        description:
          "The same checks the actions make (role, status, four eyes from the version's audit trail; a draft with problems " +
          "cannot be submitted). A stale revision is only known when the action is tried.",
        params: versionParams,
        response: { 200: z.object(Object.fromEntries(REVIEW_ACTIONS.map((a) => [a, verdictSchema]))) },
      },
      onRequest: readers,
    },
    async (req) => workflow.actions(actorOf(req), req.params.id),
  );

  r.post(
    "/rule-sets/versions/:id/submit",
    {
      schema: {
        tags: TAGS,
        summary: "Submit a draft for review (it must validate)",
        description:
          "Refused with 422 RULES_INVALID and the problems when the draft does not validate; 409 on a stale revision.",
        params: versionParams,
        body: z.strictObject({ revision: revisionField }).default({}),
        response: { 200: versionSchema },
      },
      onRequest: officers,
    },
    async (req) => withFile(await workflow.submit(actorOf(req), req.params.id, revisionOf(req, req.body))),
  );

  r.post(
    "/rule-sets/versions/:id/withdraw",
    {
      schema: {
        tags: TAGS,
        summary: "Withdraw a version from review, back to a draft",
        description:
          "For an officer who wants to change something before the approver decides: the version becomes a draft " +
          "again (its revision goes up) and can be edited and submitted anew. 409 INVALID_STATE once it was approved " +
          "or rejected.",
        params: versionParams,
        body: z.strictObject({ comment: z.string().max(2000).optional() }).default({}),
        response: { 200: versionSchema },
      },
      onRequest: officers,
    },
    async (req) => withFile(await workflow.withdraw(actorOf(req), req.params.id, req.body.comment)),
  );

  r.post(
    "/rule-sets/versions/:id/approve",
    {
      schema: {
        tags: TAGS,
        summary: "Approve and publish a version in review, effective from a date (four eyes)",
        description:
          "Send the revision you reviewed (`revision`, or If-Match): if the version changed since (withdrawn, edited and " +
          "resubmitted), 409 STALE_REVISION and nothing is published. Refused with 403 FOUR_EYES when the approver wrote, " +
          "edited, submitted or withdrew the version. In one transaction: `effective.from` is set in the YAML, the hash " +
          "recomputed, the version published and the audit entry written; then decisions use it.",
        params: versionParams,
        body: z.strictObject({
          effectiveFrom: z.iso.date(),
          revision: revisionField,
          comment: z.string().max(2000).optional(),
        }),
        response: { 200: versionSchema },
      },
      onRequest: approvers,
    },
    async (req) => {
      const { effectiveFrom, comment } = req.body;
      const revision = revisionOf(req, req.body);
      return withFile(await workflow.approve(actorOf(req), req.params.id, revision, effectiveFrom, comment));
    },
  );

  r.post(
    "/rule-sets/versions/:id/reject",
    {
      schema: {
        tags: TAGS,
        summary: "Reject a version in review, with a comment (four eyes)",
        description:
          "Send the revision you reviewed (`revision`, or If-Match); 409 STALE_REVISION if it changed since. " +
          "A rejected version stays as it is; rework it as a new draft based on it.",
        params: versionParams,
        body: z.strictObject({ comment: z.string().min(1).max(2000), revision: revisionField }),
        response: { 200: versionSchema },
      },
      onRequest: approvers,
    },
    async (req) =>
      withFile(
        await workflow.reject(actorOf(req), req.params.id, revisionOf(req, req.body), req.body.comment),
      ),
  );
};
