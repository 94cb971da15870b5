//! The MCP server handler and the stdio entry point.

use std::borrow::Cow;

use imprint_service::Service;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorCode,
    Implementation, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};

use crate::resources;
use crate::toolsets::{ADMIN_TOOLS, Toolset, Toolsets};

/// The Imprint MCP server: the service layer behind rmcp's tool router.
#[derive(Clone)]
pub struct ImprintMcp {
    service: Service,
    tool_router: ToolRouter<ImprintMcp>,
    /// The toolsets served: `tools/list` shows only their tools, and a call to another
    /// tool is refused with the name of the set that has it.
    toolsets: Toolsets,
    /// Each tool's set, by name (every tool of both routers).
    sets: std::sync::Arc<std::collections::HashMap<String, Toolset>>,
}

const INSTRUCTIONS: &str = "Imprint changes MCP client configurations safely: build a draft \
(add_server_to_config, view_draft_config), check it (validate_config), publish it as a signed \
artifact (publish_config), then write it into the client's own file (deploy_config). Drafts \
persist. get_config_history, rollback_config and verify_config work on published artifacts; \
import_config adopts servers already in a client's file. Content (sites, sections, entry types, \
fields, entries) works like Craft CMS: create_draft, update_draft, then apply_draft to publish a signed \
revision (update_entry changes live content directly); link the user to each returned url.";

impl ImprintMcp {
    pub fn new(service: Service) -> Self {
        let config = Self::config_router();
        let content = Self::content_router();
        let mut sets = std::collections::HashMap::new();
        for tool in config.list_all() {
            let set = if ADMIN_TOOLS.contains(&tool.name.as_ref()) {
                Toolset::Admin
            } else {
                Toolset::Config
            };
            sets.insert(tool.name.to_string(), set);
        }
        for tool in content.list_all() {
            sets.insert(tool.name.to_string(), Toolset::Content);
        }
        let mut tool_router = config + content;
        // every schema is made portable once, here (see imprint_service::api::make_portable)
        for route in tool_router.map.values_mut() {
            let mut schema = serde_json::Value::Object((*route.attr.input_schema).clone());
            imprint_service::api::make_portable(&mut schema);
            if let serde_json::Value::Object(map) = schema {
                route.attr.input_schema = std::sync::Arc::new(map);
            }
        }
        Self {
            service,
            tool_router,
            toolsets: Toolsets::all(),
            sets: std::sync::Arc::new(sets),
        }
    }

    /// Serves only the tools of `toolsets`.
    pub fn with_toolsets(mut self, toolsets: Toolsets) -> Self {
        self.toolsets = toolsets;
        self
    }

    pub fn toolsets(&self) -> Toolsets {
        self.toolsets
    }

    /// The set a tool belongs to (`None` for a name no router has).
    pub fn toolset_of(&self, tool: &str) -> Option<Toolset> {
        self.sets.get(tool).copied()
    }

    pub(crate) fn service(&self) -> &Service {
        &self.service
    }

    /// The served tools, as `tools/list` shows them (the contract snapshot uses this).
    pub fn tools(&self) -> Vec<rmcp::model::Tool> {
        let mut tools = self.tool_router.list_all();
        tools.retain(|tool| self.serves(&tool.name));
        tools
    }

    fn serves(&self, tool: &str) -> bool {
        self.toolset_of(tool)
            .is_some_and(|set| self.toolsets.contains(set))
    }
}

impl ServerHandler for ImprintMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("imprint", env!("CARGO_PKG_VERSION")))
        .with_instructions(INSTRUCTIONS)
        .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::KNOWN_VERSIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        if !self.tool_router.has_route(&request.name) {
            return Err(McpError::invalid_params(
                format!(
                    "unknown tool '{}': tools/list shows the tools",
                    request.name
                ),
                None,
            ));
        }
        if !self.serves(&request.name) {
            let set = self.toolset_of(&request.name).unwrap_or(Toolset::Config);
            return Err(McpError::invalid_params(
                format!(
                    "tool '{}' is in the '{set}' toolset, which this server does not serve \
                     (it serves {}): restart it with --toolsets {},{set} (or IMPRINT_TOOLSETS)",
                    request.name, self.toolsets, self.toolsets
                ),
                Some(serde_json::json!({"tool": request.name, "toolset": set.name()})),
            ));
        }
        let name = request.name.clone();
        let target = audit_target(request.arguments.as_ref());
        // The role table decides (the same one REST and the control panel ask); tools/list
        // shows every tool whatever the role, so the contract does not depend on the token.
        // The service's one entry point also writes the call's audit row with its change.
        let call = self
            .tool_router
            .call(ToolCallContext::new(self, request, context));
        let succeeded = |answer: &Result<CallToolResponse, McpError>| matches!(answer, Ok(CallToolResponse::Complete(result)) if result.is_error != Some(true));
        let answer = match self
            .service
            .perform_async(&name, &target, call, succeeded)
            .await
        {
            Ok(answer) => answer,
            Err(refused) => return crate::error_result(&refused).map(Into::into),
        };
        match answer {
            // Arguments that do not deserialize (a number where a string belongs, say) are
            // the caller's to fix: a tool error it can read, not an opaque protocol error.
            Err(error) if error.code == ErrorCode::INVALID_PARAMS => {
                let body = serde_json::json!({"error": {
                    "code": "invalid_input",
                    "message": format!("invalid arguments for {name}: {}; tools/list shows the expected parameters", error.message),
                }});
                Ok(CallToolResult::error(vec![ContentBlock::text(body.to_string())]).into())
            }
            other => other,
        }
    }

    /// No prompts are served and none are declared in the capabilities, so `prompts/list`
    /// is an unknown method (rmcp would answer an empty list to an undeclared feature).
    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::ListPromptsResult, McpError> {
        Err(McpError::new(
            ErrorCode::METHOD_NOT_FOUND,
            "prompts/list: this server serves no prompts (see its capabilities)",
            None,
        ))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        resources::read(self, &request.uri).map(Into::into)
    }
}

/// What a tool call was applied to, for the audit log: its identifying arguments.
fn audit_target(arguments: Option<&serde_json::Map<String, serde_json::Value>>) -> String {
    const KEYS: &[&str] = &[
        "client_id",
        "profile_id",
        "draft_name",
        "server_id",
        "artifact_id",
        "request_id",
        "name",
        "draftId",
        "entryId",
        "canonicalId",
        "sectionId",
        "entryTypeId",
        "fieldId",
        "siteId",
        "handle",
    ];
    let mut target = String::new();
    let Some(arguments) = arguments else {
        return target;
    };
    // written into one string: this runs on every call (the MCP hot path, issue 8)
    for key in KEYS {
        let number;
        let text = match arguments.get(*key) {
            Some(serde_json::Value::String(text)) => text.as_str(),
            Some(serde_json::Value::Number(n)) => {
                number = n.to_string();
                number.as_str()
            }
            _ => continue,
        };
        if !target.is_empty() {
            target.push(' ');
        }
        target.push_str(key);
        target.push('=');
        // at most 80 characters of each value
        let end = text.char_indices().nth(80).map_or(text.len(), |(at, _)| at);
        target.push_str(&text[..end]);
    }
    target
}

/// Serves the tools of `toolsets` over stdin/stdout until the client disconnects, through
/// the frame checks of [`crate::stdio`]. Logs go to stderr.
pub async fn serve_stdio(
    service: Service,
    toolsets: crate::Toolsets,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (input, output) = stdio();
    let service = service.on_surface(imprint_service::roles::Surface::McpStdio);
    let handler = ImprintMcp::new(service).with_toolsets(toolsets);
    crate::stdio::serve(handler, input, output).await
}

type Input = Box<dyn tokio::io::AsyncRead + Send + Unpin>;
type Output = Box<dyn tokio::io::AsyncWrite + Send + Unpin>;

/// Standard input and output. When both are pipes (how MCP clients start servers) they are
/// read and written by the runtime's own event loop: tokio's `stdin()`/`stdout()` hand every
/// read and write to a blocking thread, which costs each tool call two thread switches.
fn stdio() -> (Input, Output) {
    #[cfg(unix)]
    if let Some((input, output)) = pipes() {
        return (Box::new(input), Box::new(output));
    }
    (Box::new(tokio::io::stdin()), Box::new(tokio::io::stdout()))
}

/// Both standard streams as non-blocking pipes, or `None` if either is not a pipe (a
/// terminal, a file). Both are checked before either is made non-blocking, so the fallback
/// never meets a non-blocking descriptor.
#[cfg(unix)]
fn pipes() -> Option<(
    tokio::net::unix::pipe::Receiver,
    tokio::net::unix::pipe::Sender,
)> {
    use std::fs::File;
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    use tokio::net::unix::pipe;
    let input = File::from(std::io::stdin().as_fd().try_clone_to_owned().ok()?);
    let output = File::from(std::io::stdout().as_fd().try_clone_to_owned().ok()?);
    let is_pipe = |file: &File| file.metadata().is_ok_and(|m| m.file_type().is_fifo());
    if !(is_pipe(&input) && is_pipe(&output)) {
        return None;
    }
    Some((
        pipe::Receiver::from_file(input).ok()?,
        pipe::Sender::from_file(output).ok()?,
    ))
}

#[cfg(test)]
mod audit_target_tests {
    use serde_json::json;

    use super::audit_target;

    #[test]
    fn names_the_identifying_arguments_in_order_each_cut_at_80_characters() {
        let long = "é".repeat(100);
        let arguments = json!({
            "server_id": "memory", "client_id": "cursor", "entryId": 42,
            "params": {"x": 1}, "name": long, "siteId": true,
        });
        assert_eq!(
            audit_target(arguments.as_object()),
            format!(
                "client_id=cursor server_id=memory name={} entryId=42",
                "é".repeat(80)
            )
        );
        assert_eq!(audit_target(json!({}).as_object()), "");
        assert_eq!(audit_target(None), "");
    }
}
