//! The server's integration tests, in one binary (one link on a two-core machine, one
//! place for the helpers): each module is a part of the HTTP face, driven in process and,
//! where a database is involved, on SQLite and PostgreSQL.

mod common;

mod activation;
mod api;
mod assessment;
mod authz;
mod chain;
mod documents;
mod exports;
mod first_contact;
mod guardrails;
mod identity;
mod lifecycle;
mod limits;
mod lists;
mod meetings;
mod notice_templates;
mod notices;
mod oidc;
mod org;
mod org_pages;
mod plans;
mod project_service;
mod projects_import;
mod push;
mod ratings;
mod sms_code;
mod supervision;
mod timeouts;
mod web;
