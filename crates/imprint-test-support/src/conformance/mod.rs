//! One store conformance suite for every backend (the "story" style): each test is a
//! function over a [`Database`], and each backend's test file instantiates all of them
//! with [`store_conformance!`](crate::store_conformance), so a behaviour checked for one
//! backend is checked for all.

pub mod content;
pub mod store;
pub mod team;

use imprint_store::Store;

/// One fresh, empty database of some backend. `open` may be called more than once: every
/// call is another handle (connection, process view) on the same data.
pub trait Database {
    fn open(&self) -> Box<dyn Store>;
}

/// The tests, by module and name (the macro below makes one `#[test]` of each).
#[macro_export]
macro_rules! store_conformance {
    ($fresh:expr) => {
        $crate::store_conformance!(@each $fresh; store: drafts_round_trip_and_reject_duplicate_names,
            heads_are_each_documents_newest_revision_in_order,
            artifact_ids_are_each_revisions_in_order,
            stale_draft_version_is_a_conflict_and_changes_nothing,
            update_removes_clears_and_renames,
            revisions_append_only_in_sequence,
            several_revisions_append_together_or_not_at_all,
            documents_by_prefix_include_drafts_and_revisions,
            add_draft_item_adds_only_a_new_key_at_the_expected_version,
            add_item_to_named_draft_finds_checks_and_adds_in_one_call,
            deployments_and_catalog_persist,
            a_pending_deployment_is_confirmed_or_discarded_and_survives_reopen,
            data_survives_reopen,
            concurrent_writers_from_two_connections_never_lose_an_append,
            a_key_retirement_is_recorded_once_and_listed_oldest_first,
            a_key_rotation_records_the_retirement_and_the_successor_together; team: the_audit_log_is_append_only_and_ordered,
            an_audit_row_commits_with_its_change_or_not_at_all,
            a_publish_request_is_decided_once,
            export_and_import_carry_the_audit_log_requests_and_key_retirements; content: a_fresh_store_has_one_primary_site_and_sites_keep_one_primary,
            structure_rows_round_trip_and_handles_are_unique,
            writing_an_entry_stores_the_row_its_revision_and_its_search_text,
            a_stale_head_a_taken_slug_or_a_moved_draft_writes_nothing,
            entries_and_drafts_share_one_id_sequence_that_survives_reopening,
            a_failed_bulk_insert_writes_nothing,
            a_bulk_insert_stores_what_one_write_per_entry_stores,
            search_ranks_titles_filters_and_limits,
            impact_and_delete_scope_remove_entries_revisions_search_rows_and_drafts,
            drafts_round_trip_update_by_version_and_one_provisional_per_entry_and_creator,
            a_term_in_more_entries_than_the_window_is_served_newest_first_with_title_matches_first,
            the_window_is_the_newest_matches_at_any_density,
            the_window_is_the_newest_matches_when_density_drifts,
            a_prefix_or_several_terms_take_the_window_of_the_newest_matches,
            a_prefix_finds_words_written_after_it_and_not_words_gone,
            a_search_out_of_time_is_stopped_and_the_store_keeps_working,
            a_save_and_its_copies_in_other_sites_are_written_together,
            a_failed_copy_writes_nothing_of_the_save,

            export_and_import_keep_every_row_in_one_transaction);
    };
    (@each $fresh:expr; store: $($s:ident),*; team: $($t:ident),*; content: $($c:ident),*) => {
        $(
            #[test]
            fn $s() {
                if let Some(db) = ($fresh)() {
                    $crate::conformance::store::$s(&db);
                }
            }
        )*
        $(
            #[test]
            fn $t() {
                if let Some(db) = ($fresh)() {
                    $crate::conformance::team::$t(&db);
                }
            }
        )*
        $(
            #[test]
            fn $c() {
                if let Some(db) = ($fresh)() {
                    $crate::conformance::content::$c(&db);
                }
            }
        )*
    };
}
