//! tongban-core — the domain of a one-stop government service center (政务服务中心).
//!
//! Pure: no IO, no async, no clock. "Now" is always an argument, so every rule here is
//! unit-tested without a database. See `../shared/design/DOMAIN.md` for the words used.

pub mod access;
pub mod account;
pub mod assessment;
pub mod attribution;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod delegation;
pub mod division;
pub mod document;
pub mod followup;
pub mod identity;
pub mod item;
pub mod joint_review;
pub mod lists;
pub mod notice;
pub mod org;
pub mod plan;
pub mod project_service;
pub mod queue;
pub mod rating;
pub mod supervision;
pub mod table;
pub mod text;
