//! Slugs (URL parts made from titles) and handles (identifiers used in templates and
//! tool arguments).

use crate::{ContentError, ContentResult};

/// The longest slug kept; longer ones are cut at a word boundary when possible.
pub const MAX_SLUG_LEN: usize = 120;

/// Makes a slug: lowercase letters and digits (any script), words joined by `-`.
/// Apostrophes vanish (`don't` → `dont`) rather than splitting a word.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.chars().count() > MAX_SLUG_LEN {
        let cut: String = slug.chars().take(MAX_SLUG_LEN).collect();
        slug = match cut.rfind('-') {
            Some(position) if position > MAX_SLUG_LEN / 2 => cut[..position].to_string(),
            _ => cut,
        };
    }
    slug
}

/// A slug given explicitly: normalized like a title, and it must keep something.
pub fn normalize_slug(text: &str) -> ContentResult<String> {
    let slug = slugify(text);
    if slug.is_empty() {
        return Err(ContentError::new(format!(
            "slug \"{}\" has no letters or digits: pass a slug like \"my-first-post\", or omit it to derive one from the title",
            text.chars().take(40).collect::<String>()
        )));
    }
    Ok(slug)
}

/// Names a field handle may not take: they are native entry attributes in
/// `attributeAndFieldData` and in `get_entry` results.
pub const RESERVED_FIELD_HANDLES: &[&str] = &[
    "id",
    "entryId",
    "title",
    "slug",
    "uri",
    "url",
    "postDate",
    "expiryDate",
    "enabled",
    "status",
    "siteId",
    "sectionId",
    "entryTypeId",
    "author",
    "authorId",
    "dateCreated",
    "dateUpdated",
    "revision",
    "trashed",
    "draftId",
    "canonicalId",
    "draftName",
    "draftNotes",
    "provisional",
    "isDraft",
    "creator",
    "fields",
    // keys of the entry and draft answers that field values sit beside: a field named like
    // one would collide with it in the same JSON object
    "siteIds",
    "message",
    "artifactId",
    "baseRevision",
    "draftVersion",
    "rebased",
    "applied",
    "merged",
    "restored",
    "revertedTo",
];

/// Checks a handle: a letter, then letters, digits or `_`, at most 64 characters.
pub fn check_handle(what: &str, handle: &str) -> ContentResult<()> {
    let mut chars = handle.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && handle.len() <= 64;
    if valid {
        Ok(())
    } else {
        Err(ContentError::new(format!(
            "{what} \"{}\" is not a valid handle: start with a letter, then letters, digits or '_' (at most 64), e.g. \"blogPost\"",
            handle.chars().take(70).collect::<String>()
        )))
    }
}

/// Checks a field handle, which must also avoid the native attribute names.
pub fn check_field_handle(handle: &str) -> ContentResult<()> {
    check_handle("handle", handle)?;
    if RESERVED_FIELD_HANDLES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(handle))
    {
        return Err(ContentError::new(format!(
            "handle \"{handle}\" is reserved for a native entry attribute: choose another, e.g. \"{handle}Text\""
        )));
    }
    Ok(())
}

/// A handle derived from a name (`"Blog Posts"` → `"blogPosts"`), for when none is given.
pub fn handle_from_name(name: &str) -> String {
    let mut handle = String::new();
    let mut upper_next = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if handle.is_empty() {
                if c.is_ascii_digit() {
                    handle.push('h');
                }
                handle.push(c.to_ascii_lowercase());
            } else if upper_next {
                handle.push(c.to_ascii_uppercase());
            } else {
                handle.push(c);
            }
            upper_next = false;
        } else {
            upper_next = true;
        }
    }
    handle.truncate(64);
    handle
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_field_cannot_take_the_name_of_a_key_its_entry_answer_has() {
        for handle in ["message", "draftVersion", "artifactId", "revertedTo"] {
            let error = check_field_handle(handle).unwrap_err();
            assert!(error.0.contains("reserved"), "{handle}: {}", error.0);
        }
        assert!(check_field_handle("messageText").is_ok());
    }

    use super::*;

    #[test]
    fn slugs_from_titles() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("  Don't Panic  "), "dont-panic");
        assert_eq!(slugify("Crème brûlée"), "crème-brûlée");
        assert_eq!(slugify("---"), "");
        assert!(slugify(&"word ".repeat(100)).len() <= MAX_SLUG_LEN);
        assert!(normalize_slug("!!!").is_err());
        assert_eq!(normalize_slug("My Slug").unwrap(), "my-slug");
    }

    #[test]
    fn handles() {
        check_handle("handle", "blogPost_2").unwrap();
        assert!(check_handle("handle", "2blog").is_err());
        assert!(check_handle("handle", "blog-post").is_err());
        assert!(check_field_handle("title").is_err());
        assert!(check_field_handle("PostDate").is_err());
        check_field_handle("summary").unwrap();
        assert_eq!(handle_from_name("Blog Posts"), "blogPosts");
        assert_eq!(handle_from_name("3 things"), "h3Things");
    }
}
