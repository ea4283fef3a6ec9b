// The API's handlers, one file per resource (api_<resource>.cc), each with its parameter
// parsing and encoding; api_routes.cc lists them with their paths, parameters, roles and
// scoping. `ctx.caller` is who asks: owner-aware handlers keep only its owners (api_scope.h).
#pragma once

#include <httplib.h>

#include "server/api_routes.h"

namespace tally {

void ServeCosts(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeMetrics(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeUsage(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeShowback(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeReconcile(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeGpu(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeGpus(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeSources(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeWindow(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeAssets(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeFlows(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
// api_finance.cc
void ServeForecast(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeAnomalies(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeBudgets(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void ServeKpis(const ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
// api_recommendations.cc
void ServeRecommendations(const ApiContext& ctx, const httplib::Request& req,
                          httplib::Response& res);

}  // namespace tally
