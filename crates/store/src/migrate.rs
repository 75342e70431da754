//! Migrations, embedded in the binary: one folder per backend since dialects differ.
//! Run by `tongban migrate` and at every start-up; sqlx records what ran and checks that
//! no applied migration was edited afterwards.

use std::borrow::Cow;

use futures_util::future::BoxFuture;
use sqlx::AnyConnection;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use crate::{Backend, StoreError};

macro_rules! migrations {
    ($backend:literal: $($version:literal $name:literal),* $(,)?) => {
        vec![$(Migration::new(
            $version,
            Cow::Borrowed($name),
            MigrationType::Simple,
            Cow::Borrowed(include_str!(concat!("../migrations/", $backend, "/", $name, ".sql"))),
            false,
        )),*]
    };
}

/// The migrations compiled into the binary for one backend.
#[derive(Debug)]
struct Embedded(Backend);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        // One migration per line, so that changes made side by side merge cleanly.
        #[rustfmt::skip]
        let migrations = match self.0 {
            Backend::Sqlite => {
                migrations!("sqlite":
                    1 "0001_foundation",
                    2 "0002_identity",
                    3 "0003_plans",
                    4 "0004_supervision",
                    5 "0005_projects",
                    6 "0006_case_number_sequences",
                    7 "0007_queue_tickets",
                    8 "0008_priority_and_step_cases",
                    9 "0009_calendar_years",
                    10 "0010_verified_identity",
                    11 "0011_event_hashes",
                    12 "0012_mandates",
                    13 "0013_one_time_codes",
                    14 "0014_figure_facts",
                    15 "0015_material_reads",
                    16 "0016_activation_codes",
                    17 "0017_sites_and_retirement",
                    18 "0018_published_lists",
                    19 "0019_national_divisions",
                    20 "0020_grant_levels",
                    21 "0021_first_contact",
                    22 "0022_assessment",
                    23 "0023_ratings",
                    24 "0024_concern_ledger",
                    25 "0025_project_library",
                    26 "0026_follow_ups",
                    27 "0027_project_service",
                    28 "0028_joint_review",
                    29 "0029_plan_links",
                    30 "0030_documents",
                    31 "0031_notices",
                    32 "0032_push_subscriptions",
                )
            }
            Backend::Postgres => {
                migrations!("postgres":
                    1 "0001_foundation",
                    2 "0002_identity",
                    3 "0003_plans",
                    4 "0004_supervision",
                    5 "0005_projects",
                    6 "0006_case_number_sequences",
                    7 "0007_queue_tickets",
                    8 "0008_priority_and_step_cases",
                    9 "0009_calendar_years",
                    10 "0010_verified_identity",
                    11 "0011_event_hashes",
                    12 "0012_mandates",
                    13 "0013_one_time_codes",
                    14 "0014_figure_facts",
                    15 "0015_material_reads",
                    16 "0016_activation_codes",
                    17 "0017_sites_and_retirement",
                    18 "0018_published_lists",
                    19 "0019_national_divisions",
                    20 "0020_grant_levels",
                    21 "0021_first_contact",
                    22 "0022_assessment",
                    23 "0023_ratings",
                    24 "0024_concern_ledger",
                    25 "0025_project_library",
                    26 "0026_follow_ups",
                    27 "0027_project_service",
                    28 "0028_joint_review",
                    29 "0029_plan_links",
                    30 "0030_documents",
                    31 "0031_notices",
                    32 "0032_push_subscriptions",
                )
            }
        };
        Box::pin(async move { Ok(migrations) })
    }
}

/// Applies every migration not yet applied.
pub(crate) async fn run(conn: &mut AnyConnection, backend: Backend) -> Result<(), StoreError> {
    Migrator::new(Embedded(backend)).await?.run(conn).await?;
    Ok(())
}
