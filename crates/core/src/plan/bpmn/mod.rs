//! BPMN 2.0
