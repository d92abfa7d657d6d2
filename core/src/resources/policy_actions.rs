//! The newer policy routes (`kontext-api-2.md` §3.2–3.7): versions, rule templates, actions,
//! replay and the blocked-call report, on the same [`Policy`] handle.

use http::Method;

use super::policy::Policy;
use crate::models::{
    BlockedCalls, BlockedCallsParams, ListPolicyVersionsParams, PolicyAction, PolicyActionResponse, PolicyVersion,
    ReplayPolicy, ReplayReport, RuleTemplates,
};
use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages};
use crate::pending::{Pending, Shape, pending};
use crate::validate;

/// `{result, etag}`: the action's body, always wrapped (it is never sent wrapped), with the new
/// deployment `ETag` exactly as received.
const ACTION: Shape = Shape::Single { key: "result", tolerant: false, etag: true };

impl<'a> Policy<'a> {
    /// One page of the policy history, newest first (`limit` 1–200, default 50).
    pub fn list_versions(&self, params: ListPolicyVersionsParams) -> Pending<'a, Page<PolicyVersion>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/policy/versions").query(&params)?.send())
        })
    }

    /// Every policy version, fetched lazily page by page.
    pub fn list_all_versions(&self, params: ListPolicyVersionsParams) -> ItemStream<PolicyVersion> {
        pagination::items(self.list_version_pages(params))
    }

    /// Every page of the policy history, fetched lazily.
    pub fn list_version_pages(&self, params: ListPolicyVersionsParams) -> PageStream<PolicyVersion> {
        self.pages::<Page<PolicyVersion>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings (`policy.listAll`).
    pub(crate) fn pages<P: ListPage>(&self, params: ListPolicyVersionsParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListPolicyVersionsParams { cursor, ..params.clone() };
            async move { client.policy().list_versions(params).page::<P>().await }
        }))
    }

    /// One policy version by its id (opaque: checked non-empty and percent-encoded, DECISIONS V12).
    pub fn get_version(&self, id: &str) -> Pending<'a, PolicyVersion> {
        pending(|| {
            let id = validate::opaque_id("id", id)?;
            Ok(self.client.request(Method::GET, format!("/policy/versions/{id}")).send())
        })
    }

    /// The rule-template catalog: templates, `agentIds` and the default-permit text.
    pub fn list_rule_templates(&self) -> Pending<'a, RuleTemplates> {
        self.client.request(Method::GET, "/policy/rule-templates").send()
    }

    /// Applies one policy action, only if the deployment still has `etag` (sent unchanged as
    /// `If-Match`; read it with [`get_deployment`](Self::get_deployment) or take it from the
    /// previous action). Resolves with the body and the new deployment `etag`.
    ///
    /// Never re-sent automatically: on a timeout or a broken connection the action may or may not
    /// have committed; read the deployment and [`list_versions`](Self::list_versions) to find
    /// out. A stale `etag` fails with 412 ([`crate::ErrorKind::PreconditionFailed`]), invalid
    /// Cedar with 422 and its `diagnostics`.
    ///
    /// ```no_run
    /// # async fn demo(client: kontext_management::Client) -> kontext_management::Result<()> {
    /// use kontext_management::ErrorKind;
    /// use kontext_management::models::{PolicyAction, ReplayPolicy};
    ///
    /// let read = client.policy().get_deployment().await?.into_inner();
    /// let etag = read.etag.clone().unwrap_or_default();
    /// let action = PolicyAction::add_template("block-github-force-push");
    /// let added = client.policy().apply_action(action, &etag).await?.into_inner();
    /// let candidate = added.result.observing_version_id.clone().unwrap_or_default();
    /// let enforced = read.deployment.enforced_version_id().unwrap_or(&candidate).to_owned();
    /// let report = client.policy().replay(ReplayPolicy::new(enforced, candidate, 7)).await?;
    /// println!("{} policies replayed", report.policies.len());
    /// let next = added.etag.unwrap_or_default();
    /// match client.policy().apply_action(PolicyAction::enforce("block-github-force-push"), &next).await {
    ///     Err(e) if e.kind() == ErrorKind::PreconditionFailed => { /* re-read, reconcile, apply again */ }
    ///     Err(e) if e.outcome_unknown() => { /* re-read the deployment and list_versions */ }
    ///     other => {
    ///         other?;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn apply_action(&self, body: PolicyAction, etag: &str) -> Pending<'a, PolicyActionResponse> {
        pending(|| {
            body.check()?;
            if etag.trim().is_empty() {
                return Err(crate::Error::invalid(
                    "etag",
                    "is required: the deployment ETag from policy.getDeployment or the previous action",
                ));
            }
            let call = self.client.request(Method::POST, "/policy/actions");
            Ok(call.json(&body)?.header("if-match", etag).send_shaped(ACTION))
        })
    }

    /// What recorded calls would have done under the observing candidate. Changes nothing, so it
    /// may be repeated. `days` (7, 14 or 30) is checked by the server.
    pub fn replay(&self, body: ReplayPolicy) -> Pending<'a, ReplayReport> {
        pending(|| {
            validate::required("enforcingVersionId", &body.enforcing_version_id)?;
            validate::required("observingVersionId", &body.observing_version_id)?;
            let call = self.client.request(Method::POST, "/policy/replay");
            Ok(call.json(&body)?.send())
        })
    }

    /// Calls the enforced policy blocked in the last `days` days (7, 14 or 30; default 7; checked
    /// by the server). Not paged.
    pub fn blocked(&self, params: BlockedCallsParams) -> Pending<'a, BlockedCalls> {
        pending(|| Ok(self.client.request(Method::GET, "/policy/blocked").query(&params)?.send()))
    }
}
