//! `{token}` formats: a section's URI format (`blog/{slug}`) and an entry type's title
//! format (`{headline} ({postDate|date('Y')})`). Object templates in Craft are Twig; this
//! is the small, predictable subset that covers what URI and title formats are used for.

use crate::{ContentError, ContentResult};

/// The tokens of `format`, whitespace removed and double quotes made single
/// (`{ postDate|date("Y") }` → `postDate|date('Y')`). Unbalanced braces are an error.
pub fn tokens(what: &str, format: &str) -> ContentResult<Vec<String>> {
    let mut tokens = Vec::new();
    let mut rest = format;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(unbalanced(what, format));
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| unbalanced(what, format))?;
        let token = normalize(&after[..close]);
        if token.is_empty() || token.contains('{') {
            return Err(unbalanced(what, format));
        }
        tokens.push(token);
        rest = &after[close + 1..];
    }
    Ok(tokens)
}

fn normalize(token: &str) -> String {
    token
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect()
}

fn unbalanced(what: &str, format: &str) -> ContentError {
    ContentError::new(format!(
        "{what} \"{format}\" has unbalanced braces: tokens look like {{slug}}"
    ))
}

/// Renders `format`, asking `resolve` for each token's text (`None`: unknown token).
pub fn render(
    what: &str,
    format: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> ContentResult<String> {
    let mut out = String::with_capacity(format.len() + 16);
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| unbalanced(what, format))?;
        let token = normalize(&after[..close]);
        let text = resolve(&token).ok_or_else(|| {
            ContentError::new(format!(
                "{what} \"{format}\" uses unknown token {{{token}}}"
            ))
        })?;
        out.push_str(&text);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Tokens a URI format may use.
pub const URI_TOKENS: &[&str] = &[
    "slug",
    "id",
    "section.handle",
    "type.handle",
    "postDate|date('Y')",
    "postDate|date('m')",
    "postDate|date('d')",
];

/// Checks a URI format's syntax and tokens.
pub fn check_uri_format(format: &str) -> ContentResult<()> {
    for token in tokens("uriFormat", format)? {
        if !URI_TOKENS.contains(&token.as_str()) {
            return Err(ContentError::new(format!(
                "uriFormat \"{format}\" uses unknown token {{{token}}}: use {}",
                URI_TOKENS
                    .iter()
                    .map(|t| format!("{{{t}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

/// What a URI format can refer to.
pub struct UriContext<'a> {
    pub slug: &'a str,
    pub id: i64,
    pub section_handle: &'a str,
    pub type_handle: &'a str,
    /// `YYYY-MM-DD…` of the post date, when there is one.
    pub post_date: Option<&'a str>,
}

/// Renders a URI: tokens filled, doubled and edge slashes removed.
pub fn render_uri(format: &str, context: &UriContext<'_>) -> ContentResult<String> {
    let date_part = |from: usize, to: usize| {
        context
            .post_date
            .and_then(|d| d.get(from..to))
            .unwrap_or_default()
            .to_string()
    };
    let rendered = render("uriFormat", format, &|token| match token {
        "slug" => Some(context.slug.to_string()),
        "id" => Some(context.id.to_string()),
        "section.handle" => Some(context.section_handle.to_string()),
        "type.handle" => Some(context.type_handle.to_string()),
        "postDate|date('Y')" => Some(date_part(0, 4)),
        "postDate|date('m')" => Some(date_part(5, 7)),
        "postDate|date('d')" => Some(date_part(8, 10)),
        _ => None,
    })?;
    Ok(rendered
        .split('/')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_formats_render_and_check() {
        let context = UriContext {
            slug: "hello",
            id: 7,
            section_handle: "blog",
            type_handle: "article",
            post_date: Some("2026-03-01T00:00:00.000Z"),
        };
        assert_eq!(render_uri("blog/{slug}", &context).unwrap(), "blog/hello");
        assert_eq!(
            render_uri("{section.handle}/{ postDate|date(\"Y\") }/{id}", &context).unwrap(),
            "blog/2026/7"
        );
        assert_eq!(
            render_uri("/news//{slug}/", &context).unwrap(),
            "news/hello"
        );
        check_uri_format("blog/{slug}").unwrap();
        assert!(
            check_uri_format("blog/{nope}")
                .unwrap_err()
                .0
                .contains("{nope}")
        );
        assert!(check_uri_format("blog/{slug").is_err());
        assert!(check_uri_format("blog/slug}").is_err());
    }
}
