//! BPMN import and export on small hand-written documents and the reform plans.

use super::*;
use crate::plan::reform::{after_reform, before_reform};
use crate::plan::{Module, Section, StepId};

fn doc(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tongban="urn:tongban:bpmn:1" id="d">
  <process id="p" name="测试流程">
{body}
  </process>
</definitions>"#
    )
}

fn ids(v: &[StepId]) -> Vec<&str> {
    v.iter().map(StepId::as_str).collect()
}

#[test]
fn gateways_collapse_into_prerequisites() {
    let plan = import(&doc(r#"<startEvent id="s"/>
    <task id="a" name="甲" tongban:days="3"/>
    <parallelGateway id="g1"/>
    <userTask id="b" tongban:days="5"/>
    <serviceTask id="c" tongban:days="2"/>
    <exclusiveGateway id="g2"/>
    <manualTask id="d" tongban:days="0"/>
    <endEvent id="e"/>
    <sequenceFlow sourceRef="s" targetRef="a"/>
    <sequenceFlow sourceRef="a" targetRef="g1"/>
    <sequenceFlow sourceRef="g1" targetRef="b"/>
    <sequenceFlow sourceRef="g1" targetRef="c"/>
    <sequenceFlow sourceRef="b" targetRef="g2"/>
    <sequenceFlow sourceRef="c" targetRef="g2"/>
    <sequenceFlow sourceRef="g2" targetRef="d"/>
    <sequenceFlow sourceRef="d" targetRef="e"/>"#))
    .unwrap();
    assert_eq!(plan.id().as_str(), "p");
    assert_eq!(plan.name(), "测试流程");
    let pre = |id: &str| ids(&plan.step(&StepId::parse(id).unwrap()).unwrap().prerequisites).join(",");
    assert_eq!((pre("a"), pre("b"), pre("c"), pre("d")), ("".into(), "a".into(), "a".into(), "b,c".into()));
    assert_eq!(plan.steps()[1].name, "b", "an unnamed task is named by its id");
    let sch = plan.schedule();
    assert_eq!(sch.total_days, 8);
    assert_eq!(ids(&sch.critical_path), ["a", "b", "d"]);
}

#[test]
fn tongban_attributes_lanes_and_sub_processes_are_read() {
    let plan = import(&doc(
        r#"<laneSet id="ls">
      <lane id="l1" name="自然资源局"><flowNodeRef>a</flowNodeRef><flowNodeRef>sp</flowNodeRef></lane>
      <lane id="l2" name="住建局"><flowNodeRef>b</flowNodeRef>
        <childLaneSet id="cls"><lane id="l3" name="消防科"><flowNodeRef>c</flowNodeRef></lane></childLaneSet>
      </lane>
    </laneSet>
    <userTask id="a" name="用地预审" tongban:module="用地" tongban:section="approval" tongban:days="20" tongban:item="620100-ZRZY-001">
      <documentation>ignored</documentation>
      <extensionElements><tongban:cooperating>发改委</tongban:cooperating><tongban:cooperating> 林草局 </tongban:cooperating></extensionElements>
    </userTask>
    <subProcess id="sp" name="规划">
      <startEvent id="ss"/>
      <task id="b" name="方案审查" tongban:days="4"/>
      <task id="c" name="消防审查" tongban:days="6" tongban:section="scheme_review"/>
      <sequenceFlow sourceRef="ss" targetRef="b"/>
    </subProcess>
    <task id="d" name="验收" tongban:module="acceptance" tongban:days="1"/>
    <sequenceFlow sourceRef="a" targetRef="sp"/>
    <sequenceFlow sourceRef="sp" targetRef="d"/>"#,
    ))
    .unwrap();
    let a = &plan.steps()[0];
    assert_eq!((a.module, a.section, a.days), (Module::Land, Section::Approval, 20));
    assert_eq!(a.lead_department, "自然资源局");
    assert_eq!(a.cooperating, ["发改委", "林草局"]);
    assert_eq!(a.item.as_ref().map(|i| i.as_str()), Some("620100-ZRZY-001"));
    let b = &plan.steps()[1];
    assert_eq!((b.module, b.lead_department.as_str()), (Module::Planning, "住建局"));
    assert_eq!(ids(&b.prerequisites), ["a"]);
    let c = &plan.steps()[2];
    assert_eq!((c.section, c.lead_department.as_str()), (Section::SchemeReview, "消防科"));
    assert_eq!(ids(&c.prerequisites), ["a"], "a task without incoming flow starts with its sub-process");
    let d = &plan.steps()[3];
    assert_eq!(ids(&d.prerequisites), ["b", "c"], "the sub-process ends when b and c are done");
    assert_eq!(plan.total_days(), 27);
}

#[test]
fn unsupported_elements_are_named_with_id_and_line() {
    let err = import(&doc(r#"<task id="a"/>
    <intermediateCatchEvent id="wait"/>"#))
    .unwrap_err();
    assert!(
        matches!(&err, BpmnError::Unsupported { element, id: Some(id), line: 5, .. } if element == "intermediateCatchEvent" && id == "wait"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("line 5") && text.contains("intermediateCatchEvent") && text.contains("\"wait\""), "{text}");
    let err = import(&doc(r#"<userTask id="a"><multiInstanceLoopCharacteristics/></userTask>"#)).unwrap_err();
    assert!(err.to_string().contains("multiInstanceLoopCharacteristics (in userTask)"), "{err}");
    for body in [
        r#"<boundaryEvent id="x" attachedToRef="a"/>"#,
        r#"<callActivity id="x"/>"#,
        r#"<subProcess id="x" triggeredByEvent="true"/>"#,
        r#"<eventBasedGateway id="x"/>"#,
    ] {
        assert!(matches!(import(&doc(body)), Err(BpmnError::Unsupported { .. })), "{body}");
    }
}

#[test]
fn cycles_are_refused_naming_the_steps_and_their_lines() {
    let err = import(&doc(r#"<task id="a"/>
    <task id="b"/>
    <exclusiveGateway id="g"/>
    <sequenceFlow sourceRef="a" targetRef="b"/>
    <sequenceFlow sourceRef="b" targetRef="g"/>
    <sequenceFlow sourceRef="g" targetRef="a"/>"#))
    .unwrap_err();
    assert_eq!(err.to_string(), "the process is not a valid plan: line 4: cycle: a → b → a");
}

#[test]
fn malformed_and_foreign_documents_are_refused_clearly() {
    let err = import("<definitions>\n  <process id=\"p\">\n</definitions>").unwrap_err();
    assert!(matches!(err, BpmnError::Xml { line: 3, .. }), "{err:?}");
    assert!(err.to_string().starts_with("malformed XML at line 3"), "{err}");
    assert!(matches!(import("<html/>"), Err(BpmnError::NotBpmn { .. })));
    assert!(matches!(import("<definitions/>"), Err(BpmnError::NoProcess)));
    assert!(matches!(
        import(&doc(r#"<task id="a" tongban:days="soon"/>"#)),
        Err(BpmnError::BadAttribute { line: 4, .. })
    ));
    assert!(matches!(
        import(&doc(r#"<task id="a"/><sequenceFlow id="f" sourceRef="a" targetRef="zz"/>"#)),
        Err(BpmnError::UnknownReference { .. })
    ));
    assert!(matches!(import(&doc(r#"<task id="a"/><task id="a"/>"#)), Err(BpmnError::DuplicateId { .. })));
    assert!(matches!(import(&doc(r#"<task id="1a"/>"#)), Err(BpmnError::BadAttribute { .. })));
    assert!(matches!(import(&doc("")), Err(BpmnError::Plan { .. })), "no steps");
}

#[test]
fn reform_plans_round_trip_through_bpmn() {
    for plan in [before_reform(), after_reform()] {
        let xml = export(&plan);
        let back = import(&xml).unwrap_or_else(|e| panic!("{}: {e}", plan.id()));
        assert_eq!(back, plan);
        assert_eq!(back.total_days(), plan.total_days());
    }
}

#[test]
fn export_escapes_text_and_avoids_id_clashes() {
    let mut steps = after_reform().steps().to_vec();
    steps.truncate(1);
    steps[0].id = StepId::parse("tb_start").unwrap();
    steps[0].name = "A & <B> \"C\" 'D'".into();
    steps[0].lead_department = String::new();
    let plan = crate::plan::Plan::new(crate::plan::PlanId::parse("tb_x").unwrap(), "名 & 称", 7, steps).unwrap();
    let xml = export(&plan);
    assert!(xml.contains("tb1_start") || xml.contains("tb2_start"), "{xml}");
    assert!(!xml.contains("laneSet"), "no lanes without departments");
    assert_eq!(import(&xml).unwrap(), plan);
}
