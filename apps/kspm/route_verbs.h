// Routes from other verbs (`kspm scan --record --routes FILE`, `kspm watch --routes FILE`): load
// the routes file once, register its routes before a scan is recorded (a route sees only events
// recorded after its registration), deliver after. docs/routing.md.
#pragma once

#include <string>

#include "kspm/routing.h"
#include "kspm/store.h"

namespace kspm::cli {

/** Reads a routes file; errors are printed as "kspm VERB: file:line: ..."; false on any error. */
bool loadRoutesForVerb(const char* verb, const std::string& path, routing::RoutesConfig* out);

/**
 * Registers the routes, then delivers what is pending, printing "kspm VERB: route R: N sent, M
 * filtered, K failed (error)" per route to stderr. Returns kExitOk, or kExitInputErrors when a
 * delivery failed (the events stay pending) or the store failed.
 */
int deliverPending(const char* verb, store::Store& store, const routing::RoutesConfig& routes,
                   routing::DispatchReport* report = nullptr);

}  // namespace kspm::cli
