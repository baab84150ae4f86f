// Shared logic of container-liveness-probe and container-readiness-probe.
//
// Only regular containers (spec.containers) of long-running pods are checked: init containers run
// to completion, ephemeral containers may not have probes, and restartable init containers
// (sidecars, restartPolicy: Always) are not checked either, since their probes only gate the pod's
// start-up when set. Run-to-completion workloads are skipped entirely, since a
// probe makes no sense for a process that is meant to exit: Job and CronJob, Argo Workflows
// (Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow), KEDA ScaledJob, OpenKruise
// BroadcastJob, and any pod spec whose restartPolicy is Never or OnFailure (bare Pods of batch work).
#pragma once

#include <string>
#include <string_view>

#include "checks/container/pod_spec_check.h"

namespace kspm::checks::container {

/** True for workloads whose pods are meant to exit (see the file comment). */
inline bool runsToCompletion(const Object& object, const PodSpecRef& pod) {
  std::string_view kind = object.kind;
  if (kind == "Job" || kind == "CronJob") return true;
  std::string_view group = object.group();
  if (group == "argoproj.io" && (kind == "Workflow" || kind == "WorkflowTemplate" ||
                                 kind == "ClusterWorkflowTemplate" || kind == "CronWorkflow")) {
    return true;
  }
  if (group == "keda.sh" && kind == "ScaledJob") return true;
  if (group == "apps.kruise.io" && kind == "BroadcastJob") return true;
  const Node* restart = field(pod.spec, "restartPolicy");
  return restart != nullptr && (restart->is("Never") || restart->is("OnFailure"));
}

class ProbeCheck : public PodSpecCheck {
 public:
  ProbeCheck(CheckInfo info, std::string_view probe, std::string_view noun)
      : PodSpecCheck(std::move(info)), probe_(probe), noun_(noun) {}

 protected:
  /** Workloads for which the platform supplies this probe itself. */
  virtual bool platformProvidesProbe(const Object&) const { return false; }

  void evaluatePod(const Object& object, const PodSpecRef& pod, const EvalContext&,
                   FindingSink& sink) const override {
    if (runsToCompletion(object, pod) || platformProvidesProbe(object)) return;
    forEachContainer(pod, [&](const ContainerRef& c) {
      if (c.list != "containers") return;
      if (field(c.node, probe_) != nullptr) return;
      sink.add(*c.node, containerLabel(c) + " has no " + std::string(noun_) + " (" + std::string(probe_) + ")",
               c.path + "." + std::string(probe_), c.field + "." + std::string(probe_), std::string(c.name));
    });
  }

 private:
  std::string_view probe_;
  std::string_view noun_;
};

}  // namespace kspm::checks::container
