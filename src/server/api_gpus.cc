// `GET /api/v1/gpus`: the physical GPUs from their newest readings, as `tally gpus --format
// json`: {"rows": [...]} (model, memory, utilization, power, MIG mode and instances, processes).
#include "server/api_handlers.h"

#include "report/gpu_inventory.h"
#include "server/api_support.h"

namespace tally {

void ServeGpus(const ApiContext& ctx, const httplib::Request&, httplib::Response& res) {
  auto devices =
      Locked<std::vector<GpuDevice>>(ctx, res, [&] { return ctx.store->ListGpuDevices(); });
  if (devices) ReplySuccess(res, GpuInventoryJson(*devices));
}

}  // namespace tally
