//! Server-rendered HTML without a template engine: an escaping function, a layout, a
//! few components, and a line diff. Everything that reaches a page from data goes
//! through [`esc`] (or [`attr`]); nothing else builds markup from input.

use std::fmt::Write as _;

use serde_json::Value;

/// Escapes text for element content and quoted attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Same as [`esc`]; named for attribute positions so call sites read clearly.
pub(crate) fn attr(text: &str) -> String {
    esc(text)
}

/// Percent-encodes a query or path component (RFC 3986 unreserved kept as is).
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A JSON value as short display text: strings bare, `-` for null, JSON otherwise.
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The first 12 digits of an artifact id, with the whole id as a tooltip.
pub(crate) fn short_id(id: &str) -> String {
    let short: String = id.chars().take(12).collect();
    format!("<code title=\"{}\">{}</code>", attr(id), esc(&short))
}

pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// What a page needs from the session to render the layout.
pub(crate) struct Chrome<'a> {
    pub(crate) user: &'a str,
    pub(crate) csrf: &'a str,
    pub(crate) flash: Option<(bool, String)>,
}

/// The layout: navigation, the flash message, the page body.
pub(crate) fn layout(title: &str, chrome: &Chrome<'_>, body: &str) -> String {
    let flash = match &chrome.flash {
        Some((true, message)) => {
            format!("<p class=\"flash ok\" role=\"status\">{}</p>", esc(message))
        }
        Some((false, message)) => format!(
            "<p class=\"flash error\" role=\"alert\">{}</p>",
            esc(message)
        ),
        None => String::new(),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Imprint</title><link rel=\"stylesheet\" href=\"/cp/assets/app.css\"></head>\
<body><header><nav><a class=\"brand\" href=\"/cp\">Imprint</a>\
<a href=\"/cp/configs\">MCP configs</a><a href=\"/cp/entries\">Content</a><a href=\"/cp/requests\">Requests</a><a href=\"/cp/audit\">Audit</a>\
<span class=\"spacer\"></span><span class=\"user\">{user}</span>\
<form method=\"post\" action=\"/cp/logout\" class=\"inline\">{csrf}<button class=\"link\">Sign out</button></form>\
</nav></header><main>{flash}<h1>{title}</h1>\n{body}\n</main></body></html>",
        title = esc(title),
        user = esc(chrome.user),
        csrf = csrf_field(chrome.csrf),
    )
}

/// A page outside the session (login, errors before sign-in).
pub(crate) fn bare(title: &str, body: &str, head_extra: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{head_extra}\
<title>{title} · Imprint</title><link rel=\"stylesheet\" href=\"/cp/assets/app.css\"></head>\
<body><main class=\"narrow\"><h1>{title}</h1>\n{body}\n</main></body></html>",
        title = esc(title),
    )
}

pub(crate) fn csrf_field(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"_csrf\" value=\"{}\">",
        attr(csrf)
    )
}

pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        attr(name),
        attr(value)
    )
}

/// A one-button form posting to `action` with hidden fields.
pub(crate) fn action_button(
    action: &str,
    csrf: &str,
    fields: &[(&str, &str)],
    label: &str,
    class: &str,
) -> String {
    let mut html = format!(
        "<form method=\"post\" action=\"{}\" class=\"inline\">{}",
        attr(action),
        csrf_field(csrf)
    );
    for (name, value) in fields {
        html.push_str(&hidden(name, value));
    }
    let _ = write!(
        html,
        "<button class=\"{}\">{}</button></form>",
        attr(class),
        esc(label)
    );
    html
}

/// A table from a header row and rows of ready HTML cells.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>], empty: &str) -> String {
    if rows.is_empty() {
        return format!("<p class=\"muted\">{}</p>", esc(empty));
    }
    let mut html = String::from("<table><thead><tr>");
    for header in headers {
        let _ = write!(html, "<th>{}</th>", esc(header));
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{cell}</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// A line diff of two texts (longest common subsequence), as a `<pre>` with added and
/// removed lines marked. Inputs are small (a config payload, an entry's fields), and
/// the table is bounded so a huge input degrades to "everything changed".
pub(crate) fn line_diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut html = String::from("<pre class=\"diff\">");
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        for line in &a {
            let _ = writeln!(html, "<del>- {}</del>", esc(line));
        }
        for line in &b {
            let _ = writeln!(html, "<ins>+ {}</ins>", esc(line));
        }
        html.push_str("</pre>");
        return html;
    }
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(html, "<span>  {}</span>", esc(a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(html, "<ins>+ {}</ins>", esc(b[j]));
            j += 1;
        } else {
            let _ = writeln!(html, "<del>- {}</del>", esc(a[i]));
            i += 1;
        }
    }
    html.push_str("</pre>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn url_encoding_keeps_unreserved_characters() {
        assert_eq!(
            url_encode("/cp/entries/5?draftId=a b"),
            "%2Fcp%2Fentries%2F5%3FdraftId%3Da%20b"
        );
        assert_eq!(url_encode("a-b_c.d~"), "a-b_c.d~");
    }

    #[test]
    fn line_diff_marks_insertions_and_deletions() {
        let html = line_diff("a\nb\nc", "a\nc\nd");
        assert!(html.contains("<span>  a</span>"));
        assert!(html.contains("<del>- b</del>"));
        assert!(html.contains("<ins>+ d</ins>"));
        assert!(!html.contains("<del>- c</del>"));
    }

    #[test]
    fn line_diff_escapes_content() {
        assert!(line_diff("", "<script>").contains("&lt;script&gt;"));
    }
}
