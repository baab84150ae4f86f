// Factories of the checks that find credentials committed in manifests (one folder each under
// src/checks/secret/). Findings name the kind of secret, where it is and its length: never the value.
#pragma once

#include <memory>

#include "kspm/check.h"

namespace kspm::checks::secret {

std::unique_ptr<Check> makeSecretInAnnotationCheck();      // secret-in-annotation
std::unique_ptr<Check> makeSecretInArgsCheck();            // secret-in-args
std::unique_ptr<Check> makeSecretInConfigMapCheck();       // secret-in-configmap
std::unique_ptr<Check> makeSecretInCustomResourceCheck();  // secret-in-custom-resource
std::unique_ptr<Check> makeSecretInEnvCheck();             // secret-in-env
std::unique_ptr<Check> makeSecretObjectWithDataCheck();    // secret-object-with-data

}  // namespace kspm::checks::secret
