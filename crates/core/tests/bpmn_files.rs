//! Every BPMN file of `tests/data/bpmn/` (copied from shared/data/bpmn): the top-level files
//! import, with step counts and critical paths worked out by hand (tasks take the default
//! 1 working day: none carries `tongban:days`); the files under `refused/` are refused.

use std::path::Path;

use tongban_core::plan::bpmn::{self, BpmnError};
use tongban_core::plan::{Plan, StepId};

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bpmn").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn import(name: &str) -> Plan {
    bpmn::import(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ids(plan: &Plan, id: &str) -> Vec<String> {
    let step = plan.step(&StepId::parse(id).expect("valid id")).expect("the step exists");
    step.prerequisites.iter().map(ToString::to_string).collect()
}

#[test]
fn every_top_level_file_imports_and_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bpmn");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "bpmn") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let plan = import(&name);
            assert!(!plan.steps().is_empty(), "{name}");
            let again = bpmn::import(&bpmn::export(&plan)).unwrap();
            assert_eq!(again, plan, "{name}: export → import");
            count += 1;
        }
    }
    assert_eq!(count, 8);
}

#[test]
fn parallel_order_is_four_parallel_tasks_of_one_day() {
    // start → split → Task 1..4 → join → end: no task waits on another.
    let plan = import("spiff-ParallelOrder.bpmn");
    assert_eq!(plan.id().as_str(), "ParallelOrder");
    assert_eq!(plan.steps().len(), 4);
    assert!(plan.steps().iter().all(|s| s.prerequisites.is_empty()));
    assert_eq!(plan.total_days(), 1);
}

#[test]
fn nested_parallel_has_eleven_tasks_and_a_three_day_critical_path() {
    // First → (A1 A2 A3 | B1 B2 B3 | C1 C2 C3, through nested splits) → FormD.
    let plan = import("spiff-token_trial_nested_parallel.bpmn");
    assert_eq!(plan.steps().len(), 11);
    assert_eq!(ids(&plan, "FormA2"), ["First"]);
    let mut d = ids(&plan, "FormD");
    d.sort();
    assert_eq!(d, ["FormA1", "FormA2", "FormA3", "FormB1", "FormB2", "FormB3", "FormC1", "FormC2", "FormC3"]);
    let schedule = plan.schedule();
    assert_eq!(schedule.total_days, 3);
    assert_eq!(schedule.critical_path.len(), 3);
    assert!(schedule.steps.iter().all(|t| t.slack == 0));
}

#[test]
fn camunda_user_task_process_has_four_steps_and_three_days() {
    // Approve customer → Validate customer → XOR → (Over 21 | Under 21); both branches kept.
    let plan = import("camunda-usertask-process.bpmn");
    assert_eq!(plan.id().as_str(), "customerDataProcess");
    assert_eq!(plan.name(), "Customer Data Process");
    assert_eq!(plan.steps().len(), 4);
    assert_eq!(ids(&plan, "Task_0n2pfas"), ["UserTask_1"]);
    assert_eq!(ids(&plan, "UserTask_2"), ["Task_0n2pfas"]);
    assert_eq!(ids(&plan, "UserTask_3"), ["Task_0n2pfas"]);
    assert_eq!(plan.total_days(), 3);
}

#[test]
fn the_other_files_have_the_expected_shape() {
    // (file, steps, critical-path days)
    for (name, steps, days) in [
        ("camunda-bpmn-model-api-process.bpmn", 4, 3),
        ("camunda-servicetask-invokeRestService.bpmn", 3, 2),
        ("camunda-testing-camunda-testing-job-announcement-publication.bpmn", 3, 2),
        ("spiff-diff-v4.bpmn", 6, 3),
        ("spiff-lanes.bpmn", 6, 6),
    ] {
        let plan = import(name);
        assert_eq!((plan.steps().len(), plan.total_days()), (steps, days), "{name}");
    }
}

#[test]
fn lanes_become_lead_departments_and_sub_process_tasks_inherit_the_lane() {
    let plan = import("spiff-lanes.bpmn");
    assert_eq!(plan.name(), "Add BPMN Feature", "named by its participant");
    let lead = |id: &str| plan.step(&StepId::parse(id).unwrap()).unwrap().lead_department.clone();
    assert_eq!(lead("Activity_A1"), "A");
    assert_eq!(lead("Implement_Feature"), "B");
    assert_eq!(lead("SubProcessTask"), "C");
    assert_eq!(ids(&plan, "Implement_Feature"), ["Activity_A2", "Activity_B1"]);
}

#[test]
fn sub_process_tasks_wait_on_what_precedes_the_sub_process() {
    let plan = import("spiff-diff-v4.bpmn");
    assert_eq!(ids(&plan, "Activity_0uijumg"), ["Activity_0b53566"]);
    assert_eq!(ids(&plan, "Activity_16ggmbf"), ["Activity_1lmz1t0", "Activity_11gnihu"]);
}

#[test]
fn inclusive_gateway_is_refused_with_its_id_and_line() {
    let err = bpmn::import(&read("refused/spiff-inclusive_gateway.bpmn")).unwrap_err();
    match &err {
        BpmnError::Unsupported { element, id, line, .. } => {
            assert_eq!(element, "inclusiveGateway");
            assert_eq!(id.as_deref(), Some("first"));
            assert_eq!(*line, 9);
        }
        other => panic!("expected unsupported, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("inclusiveGateway") && text.contains("first") && text.contains("line 9"), "{text}");
}

#[test]
fn every_refused_file_is_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bpmn/refused");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(bpmn::import(&text).is_err(), "{} must be refused", path.display());
        count += 1;
    }
    assert!(count >= 1);
}
