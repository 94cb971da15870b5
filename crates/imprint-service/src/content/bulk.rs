//! Bulk creation of entries (seeding, imports): the checks and signed revisions of
//! `create_entry`, in one store transaction instead of a commit per entry.

use std::collections::HashSet;

use imprint_content::slug;
use imprint_store::content::SectionRow;
use serde_json::{Map, json};

use super::entries::{LiveWrite, SeedEntry, busy, check_enabled_for_site};
use crate::error::{ServiceError, ServiceResult};
use crate::revisions::MAX_RETRIES;
use crate::{Service, now_millis};

impl Service {
    /// Creates many entries in one transaction (seeding, imports): the same checks and
    /// signed revisions as `create_entry`, without a commit per entry. Returns the ids.
    pub fn bulk_create_entries(
        &self,
        section_id: i64,
        entry_type_id: Option<i64>,
        site_id: Option<i64>,
        entries: Vec<SeedEntry>,
    ) -> ServiceResult<Vec<i64>> {
        let (section, schema, site) = self.new_entry_context(section_id, entry_type_id, site_id)?;
        if section.kind == "single" {
            return Err(ServiceError::invalid(format!(
                "section '{}' is a single",
                section.handle
            )));
        }
        let now = now_millis();
        let mut reserved = HashSet::new();
        let mut writes = Vec::with_capacity(entries.len());
        for (index, data) in entries.iter().enumerate() {
            let content = self
                .new_content(&section, &site, &schema, data)
                .map_err(|e| at_entry(e, index))?;
            let mut write = LiveWrite {
                entry_id: None,
                site: &site,
                section: &section,
                schema: &schema,
                content,
                previous: None,
                draft: None,
                action: "create",
                extra: Map::new(),
                check_required: true,
                author: None,
            };
            self.finish_content(&mut write, now)
                .map_err(|e| at_entry(e, index))?;
            let wanted = write
                .content
                .slug
                .clone()
                .or_else(|| {
                    write
                        .content
                        .title
                        .as_deref()
                        .map(slug::slugify)
                        .filter(|s| !s.is_empty())
                })
                .unwrap_or_else(|| "entry".into());
            let slug = self.unique_slug(section.id, site.id, &wanted, None, &reserved)?;
            reserved.insert(slug.clone());
            write.content.slug = Some(slug);
            writes.push(write);
        }
        let key = self.signing_key()?;
        let ids = self
            .store()
            .content()
            .insert_entries(writes.len(), &mut |index, entry_id| {
                self.build_write(&writes[index], entry_id, 1, None, &key, now)
            })?;
        Ok(ids)
    }

    /// The one entry of a new single section, in every site.
    pub(crate) fn create_single_entries(&self, section: &SectionRow) -> ServiceResult<Vec<i64>> {
        let Some(entry_type_id) = section.entry_type_ids.first().copied() else {
            return Ok(Vec::new());
        };
        let schema = self.schema(entry_type_id)?;
        let mut sites = self.store().content().sites()?;
        sites.retain(|site| check_enabled_for_site(section, site).is_ok());
        sites.sort_by_key(|s| !s.primary);
        let mut entry_id = None;
        for site in &sites {
            let mut content = self.new_content(section, site, &schema, &Map::new())?;
            content.title = Some(section.name.clone());
            let written = (0..MAX_RETRIES)
                .find_map(|_| {
                    self.write_live(LiveWrite {
                        entry_id,
                        site,
                        section,
                        schema: &schema,
                        content: content.clone(),
                        previous: None,
                        draft: None,
                        action: "create",
                        extra: Map::new(),
                        check_required: false,
                        author: None,
                    })
                    .transpose()
                })
                .ok_or_else(busy)??;
            entry_id = Some(written.row.entry_id);
        }
        let Some(entry_id) = entry_id else {
            return Ok(Vec::new());
        };
        Ok(vec![entry_id])
    }
}

/// `error` with the failing entry's position in the batch (0-based) as `details.entry`, so
/// an import can name the line it came from.
fn at_entry(error: ServiceError, index: usize) -> ServiceError {
    let details = match error.details() {
        Some(serde_json::Value::Object(map)) => {
            let mut map = map.clone();
            map.insert("entry".into(), json!(index));
            serde_json::Value::Object(map)
        }
        Some(other) => json!({"entry": index, "details": other}),
        None => json!({"entry": index}),
    };
    error.with_details(details)
}
