"""SpiffWorkflow side of the peer comparison: instances per second of case_shape.bpmn
(accept → two parallel reviews → decide → deliver), run in-process, in memory and with
the workflow's state serialized to JSON (in memory) after every step.

Each instance is created from the parsed spec (parsed once), its engine steps run, and
each ready user task is completed in turn until the workflow is completed. Prints JSON.
Usage: python spiff_bench.py [--instances N] [--json-only]
"""

import argparse
import json
import os
import sys
import time

from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

HERE = os.path.dirname(os.path.abspath(__file__))
USER_STEPS = ["accept", "review_a", "review_b", "decide", "deliver"]


def load_spec():
    parser = BpmnParser()
    parser.add_bpmn_file(os.path.join(HERE, "case_shape.bpmn"))
    return parser.get_spec("case_shape")


def run_instance(spec, serializer=None):
    """Runs one instance to completion; returns the user steps completed, in order."""
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    if serializer is not None:
        serializer.serialize_json(workflow)
    done = []
    while not workflow.is_completed():
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        if task is None:
            raise RuntimeError("the workflow is stuck: no ready user task and not completed")
        task.run()
        workflow.do_engine_steps()
        done.append(task.task_spec.bpmn_id)
        if serializer is not None:
            serializer.serialize_json(workflow)
    return done


def measure(spec, instances, serializer=None):
    # A few instances first, so imports and caches are warm.
    for _ in range(min(50, instances)):
        run_instance(spec, serializer)
    started = time.perf_counter()
    for _ in range(instances):
        done = run_instance(spec, serializer)
    elapsed = time.perf_counter() - started
    assert sorted(done) == sorted(USER_STEPS), done
    return {"instances": instances, "elapsed_s": elapsed, "instances_per_sec": instances / elapsed}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--instances", type=int, default=2000)
    args = ap.parse_args()
    import SpiffWorkflow

    spec = load_spec()
    serializer = BpmnWorkflowSerializer()
    out = {
        "engine": "SpiffWorkflow",
        "version": getattr(SpiffWorkflow, "__version__", None) or _dist_version(),
        "python": sys.version.split()[0],
        "memory": measure(spec, args.instances),
        "serialized_every_step": measure(spec, args.instances, serializer),
    }
    print(json.dumps(out, indent=2))


def _dist_version():
    try:
        from importlib.metadata import version

        return version("SpiffWorkflow")
    except Exception:  # noqa: BLE001 — the version is only informative
        return None


if __name__ == "__main__":
    main()
