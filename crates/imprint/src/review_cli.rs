//! `imprint requests …` (review before publish) and `imprint audit` (the audit log).
//!
//! The CLI acts as the machine's owner (admin); a change it makes is recorded in the
//! audit log with the surface `cli`, like one made over MCP or REST.

use clap::Subcommand;
use imprint_service::requests::{
    ApproveRequest, GetAuditLog, ListRequests, RejectRequest, RequestApply, RequestPublish,
};
use imprint_service::{Service, ServiceResult};
use serde_json::Value;

use crate::cli::answer;

#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// Ask a publisher to publish a config draft as it is now (the version is frozen:
    /// changing the draft afterwards makes approval refuse).
    #[command(
        after_help = "Examples:\n  imprint requests ask --client cursor --profile dev -m \"add github\"\n  imprint requests list"
    )]
    Ask {
        /// Client id (see `imprint clients`).
        #[arg(long, short = 'c', default_value = "claude-desktop")]
        client: String,
        /// Profile id.
        #[arg(long, short = 'p', default_value = "default")]
        profile: String,
        /// Draft name.
        #[arg(long, default_value = "default")]
        draft: String,
        /// What changed and why: becomes the artifact's changelog.
        #[arg(long, short = 'm')]
        changelog: Option<String>,
    },
    /// Ask a publisher to apply a content draft as it is now.
    AskApply {
        /// The content draft's id.
        draft_id: i64,
        /// Why, shown to the publisher.
        #[arg(long, short = 'm')]
        notes: Option<String>,
    },
    /// List requests (open ones by default) with the diff against the latest.
    List {
        /// open, approved, rejected or all.
        #[arg(long, default_value = "open")]
        status: String,
    },
    /// Publish exactly the version a request froze (refused if the draft changed since).
    Approve {
        /// The request's id (`imprint requests list`).
        request_id: String,
    },
    /// Reject a request, saying why.
    Reject {
        /// The request's id (`imprint requests list`).
        request_id: String,
        /// Why, shown to whoever asked.
        #[arg(long)]
        reason: String,
    },
}

/// Runs a requests command; changes are recorded in the audit log.
pub fn run_requests(
    service: &Service,
    command: RequestsCommand,
    json: bool,
) -> ServiceResult<Value> {
    match command {
        RequestsCommand::Ask {
            client,
            profile,
            draft,
            changelog,
        } => {
            let target = format!("{client}/{profile}");
            crate::cli::worded(
                service.perform("request_publish", &target, |s| {
                    s.request_publish(RequestPublish {
                        client_id: Some(client),
                        profile_id: Some(profile),
                        draft_name: Some(draft),
                        changelog,
                    })
                }),
                json,
            )
        }
        RequestsCommand::AskApply { draft_id, notes } => crate::cli::worded(
            service.perform("request_apply", &format!("draft {draft_id}"), |s| {
                s.request_apply(RequestApply {
                    draft_id: imprint_service::api::Id(draft_id),
                    notes,
                })
            }),
            json,
        ),
        RequestsCommand::List { status } => answer(service.list_requests(ListRequests {
            status: Some(status),
        })),
        RequestsCommand::Approve { request_id } => {
            let target = format!("request {request_id}");
            answer(service.perform("approve_request", &target, |s| {
                s.approve_request(ApproveRequest { request_id })
            }))
        }
        RequestsCommand::Reject { request_id, reason } => {
            let target = format!("request {request_id}");
            answer(service.perform("reject_request", &target, |s| {
                s.reject_request(RejectRequest { request_id, reason })
            }))
        }
    }
}

/// `imprint audit`.
pub fn run_audit(service: &Service, limit: Option<u32>) -> ServiceResult<Value> {
    answer(service.get_audit_log(GetAuditLog { limit }))
}
