use http::Method;

use crate::client::Client;
use crate::error::Error;
use crate::models::{
    GetTraceParams, ListTracesParams, StatsPeriod, Trace, TraceDetail, TraceStatsParams, TraceStatsResponse,
};
use crate::pending::{Pending, Shape, pending};

use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages};
use crate::validate;

/// Page size of trace lists when the caller sets none (the API's default).
const DEFAULT_TRACE_LIMIT: u32 = crate::pagination::DEFAULT_OFFSET_LIMIT;

/// `/traces`: runs of agent activity and their statistics.
#[derive(Debug, Clone, Copy)]
pub struct Traces<'a> {
    client: &'a Client,
}

impl<'a> Traces<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of traces (offset pagination: `limit`, `offset`).
    pub fn list(&self, params: ListTracesParams) -> Pending<'a, Page<Trace>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/traces").query(&params)?.send())
        })
    }

    /// Every matching trace; stops at the first page shorter than `limit`.
    pub fn list_all(&self, params: ListTracesParams) -> ItemStream<Trace> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of matching traces, fetched lazily.
    pub fn list_pages(&self, params: ListTracesParams) -> PageStream<Trace> {
        self.pages::<Page<Trace>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListTracesParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        let limit = params.limit.unwrap_or(DEFAULT_TRACE_LIMIT);
        let start = params.offset.unwrap_or(0);
        pagination::non_empty(pagination::by_offset(limit, move |offset| {
            let client = client.clone();
            let params = ListTracesParams { limit: Some(limit), offset: Some(start + offset), ..params.clone() };
            async move { Ok(client.traces().list(params).page::<P>().await?.into_parts().0) }
        }))
    }

    /// One trace with its events.
    pub fn get(&self, trace_id: &str, params: GetTraceParams) -> Pending<'a, TraceDetail> {
        pending(|| {
            // Trace ids come from the tracing system, not always UUIDs: opaque (DECISIONS V12).
            let trace_id = validate::opaque_id("traceId", trace_id)?;
            Ok(self.client.request(Method::GET, format!("/traces/{trace_id}")).query(&params)?.send())
        })
    }

    /// Statistics over a period (`1d`, `7d`, `30d`; `24h` = `1d`).
    pub fn stats(&self, params: TraceStatsParams) -> Pending<'a, TraceStatsResponse> {
        pending(|| {
            if let Some(StatsPeriod::Unknown(period)) = &params.period {
                return Err(Error::invalid("period", format!("{period:?} is not one of 1d, 7d, 30d, 24h")));
            }
            // The API answers the bare statistics; the official client returns `{stats}`.
            Ok(self.client.request(Method::GET, "/traces/stats").query(&params)?.send_shaped(Shape::Wrap("stats")))
        })
    }
}
