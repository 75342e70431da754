//! Opening an uploaded material (调阅材料): the applicant and the staff who may see the case
//! get the file; anyone else learns nothing, not even whether the case exists. Every opening
//! by staff is recorded on the case, with its audit entry, for the applicant to see.

use tongban_core::access::Action;
use tongban_core::case::CaseNumber;
use tongban_core::identity::Role;
use tongban_store::{MaterialFile, MaterialRead};

use crate::{App, AppError, Principal, authorize, visible_case};

/// A file of the case's `material` (the one with digest `sha256`, or the latest) with its
/// bytes, for someone who may see the case; a member of staff's opening is recorded.
#[tracing::instrument(skip_all, fields(case.number = %number))]
pub async fn open_material(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
    material: &str,
    sha256: Option<&str>,
) -> Result<(MaterialFile, Vec<u8>), AppError> {
    // The role is checked first: a role that may read no case is refused, not misled.
    authorize(principal, Action::ReadCase)?;
    let hidden = || AppError::NotFound(format!("case {number} has no such file"));
    visible_case(state, principal, number).await.map_err(|e| hide(e, hidden))?;
    let (file, bytes) = state.store.material_file_content(number, material, sha256).await?.ok_or_else(hidden)?;
    if principal.role() != Role::Applicant {
        let (by, now) = (principal.require()?.id.clone(), state.now());
        let (n, f) = (number.clone(), file.clone());
        state
            .store
            .write(move |c| {
                Box::pin(async move {
                    tongban_store::insert_material_read(c, &n, &f, &by, now).await?;
                    let detail = serde_json::json!({ "material": f.material, "sha256": f.sha256 }).to_string();
                    tongban_store::append_audit(c, now, &by, "case.material.read", n.as_str(), &detail).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await?;
    }
    Ok((file, bytes))
}

/// Who on the staff opened the case's files, and when, oldest first (for those who may see
/// the case).
pub async fn material_reads(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
) -> Result<Vec<MaterialRead>, AppError> {
    visible_case(state, principal, number).await?;
    Ok(state.store.material_reads(number).await?)
}

/// A case the principal may not see is answered as if it did not exist.
fn hide(e: AppError, hidden: impl Fn() -> AppError) -> AppError {
    match e {
        AppError::Forbidden(_) | AppError::NotFound(_) => hidden(),
        other => other,
    }
}
