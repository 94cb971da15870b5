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
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};

use crate::resources;

/// The Imprint MCP server: the service layer behind rmcp's tool router.
#[derive(Clone)]
pub struct ImprintMcp {
    service: Service,
    tool_router: ToolRouter<ImprintMcp>,
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
        let mut tool_router = Self::config_router() + Self::content_router();
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
        }
    }

    pub(crate) fn service(&self) -> &Service {
        &self.service
    }

    /// Every tool, as `tools/list` shows it (the contract snapshot uses this).
    pub fn tools(&self) -> Vec<rmcp::model::Tool> {
        self.tool_router.list_all()
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
        Ok(ListToolsResult::with_all_items(self.tool_router.list_all()))
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
        let name = request.name.clone();
        match self
            .tool_router
            .call(ToolCallContext::new(self, request, context))
            .await
        {
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

/// Serves MCP over stdin/stdout until the client disconnects. Logs go to stderr.
pub async fn serve_stdio(service: Service) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let running = ImprintMcp::new(service).serve(stdio()).await?;
    running.waiting().await?;
    Ok(())
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
