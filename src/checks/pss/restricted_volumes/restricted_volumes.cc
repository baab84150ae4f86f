// PSS restricted "restrictedVolumes": only ephemeral, projected and claim-based volume types.
// Upstream: policy/check_restrictedVolumes.go (one version, 1.0; overrides hostPathVolumes).
// A volume passes when any of configMap, csi, downwardAPI, emptyDir, ephemeral, image,
// persistentVolumeClaim, projected or secret is set (image was added to the 1.0 function itself,
// so it is allowed at every policy version). Any other volume is forbidden and reported by the
// first restricted source it sets. A volume that sets no known source at all is defaulted to
// emptyDir by the API server before admission (SetDefaults_Volume), so it is allowed, as the
// upstream fixture restrictedvolumes0 (a bare `- name: volume0`) requires.
#include "checks/pss/pss_check.h"
#include "checks/pss/pss_checks.h"

namespace kspm::checks::pss {
namespace {

constexpr std::string_view kAllowedSources[] = {
    "configMap", "csi",   "downwardAPI",           "emptyDir", "ephemeral",
    "image",     "persistentVolumeClaim", "projected", "secret",
};

// In upstream's reporting order.
constexpr std::string_view kRestrictedSources[] = {
    "hostPath",   "gcePersistentDisk", "awsElasticBlockStore", "gitRepo",      "nfs",
    "iscsi",      "glusterfs",         "rbd",                  "flexVolume",   "cinder",
    "cephfs",     "flocker",           "fc",                   "azureFile",    "vsphereVolume",
    "quobyte",    "azureDisk",         "photonPersistentDisk", "portworxVolume", "scaleIO",
    "storageos",
};

class RestrictedVolumesCheck final : public PssCheck {
 public:
  RestrictedVolumesCheck()
      : PssCheck({
            .id = "pss-restricted-volumes",
            .title = "Restricted volume type",
            .severity = Severity::kMedium,
            .description =
                "The restricted profile allows only configMap, csi, downwardAPI, emptyDir, ephemeral, "
                "image, persistentVolumeClaim, projected and secret volumes; other inline volume "
                "sources reach host or external storage directly.",
            .remediation =
                "Replace the volume with a persistentVolumeClaim or one of configMap, csi, "
                "downwardAPI, emptyDir, ephemeral, image, projected or secret.",
            .controls = pssControls(PssLevel::kRestricted, "restrictedVolumes"),
            .scope = Scope::kPodSpec,
            .pss_id = "restrictedVolumes",
            .pss_level = PssLevel::kRestricted,
            .pss_overrides = "hostPathVolumes",
        }) {}

 protected:
  void evaluatePod(const PodSpecRef& pod, uint32_t, FindingSink& sink) const override {
    forEachVolume(pod, [&](const Node& volume, uint32_t index) { report(pod, volume, index, sink); });
  }

 private:
  static void report(const PodSpecRef& pod, const Node& volume, uint32_t index, FindingSink& sink) {
    for (std::string_view source : kAllowedSources) {
      if (field(&volume, source) != nullptr) return;
    }
    std::string_view type;
    const Node* at = nullptr;
    for (std::string_view source : kRestrictedSources) {
      if (const Node* n = field(&volume, source)) {
        type = source;
        at = n;
        break;
      }
    }
    if (at == nullptr) return;  // no source: defaulted to emptyDir
    std::string path = pod.spec_path + ".volumes[" + std::to_string(index) + "]." + std::string(type);
    std::string stable = "volumes[" + itemKey(volume, index) + "]." + std::string(type);
    Finding& f = sink.add(*at,
                          "volume " + quoted(text(field(&volume, "name"))) +
                              " must not use restricted volume type " + quoted(type),
                          std::move(path), std::move(stable));
    if (type == "hostPath") f.severity = Severity::kHigh;
  }
};

}  // namespace

std::unique_ptr<Check> makeRestrictedVolumesCheck() { return std::make_unique<RestrictedVolumesCheck>(); }

}  // namespace kspm::checks::pss
