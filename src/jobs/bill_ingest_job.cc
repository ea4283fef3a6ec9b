#include "jobs/bill_ingest_job.h"

#include "ingest/async_cost_sink.h"

namespace tally {

std::string BillIngestResult::Summary() const {
  std::string s = std::to_string(totals.files_read) + " files, " +
                  std::to_string(commit.rows_stored) + " rows stored, " +
                  std::to_string(totals.rows_rejected) + " rows rejected, " +
                  std::to_string(totals.warnings) + " warnings, " +
                  std::to_string(commit.partitions.size()) + " billing periods";
  if (commit.rows_replaced > 0) {
    s += " (replacing " + std::to_string(commit.rows_replaced) + " earlier rows)";
  }
  // One amount per currency, each named: amounts in two currencies are never added.
  s += ", EffectiveCost ";
  if (totals.effective_cost.empty()) s += "0";
  for (size_t i = 0; i < totals.effective_cost.size(); ++i) {
    const auto& [currency, sum] = totals.effective_cost[i];
    s += (i > 0 ? ", " : "") + sum.ToString() + " " +
         (currency.empty() ? std::string("(no currency)") : currency);
  }
  if (!totals.files_skipped.empty()) {
    s += "; " + std::to_string(totals.files_skipped.size()) + " bad files skipped";
  }
  return s;
}

Result<std::vector<std::string>> BillFiles(const BillFormat& format,
                                           const std::vector<std::string>& paths) {
  std::vector<std::string> rewritten = paths;
  if (format.expand) {
    TALLY_ASSIGN_OR_RETURN(rewritten, format.expand(paths));
  }
  return ExpandInputPaths(rewritten);
}

Result<BillIngestResult> RunBillIngest(CostStore& store, const BillIngestJob& job) {
  std::vector<std::string> paths = job.paths;
  if (job.format->expand) {
    TALLY_ASSIGN_OR_RETURN(paths, job.format->expand(job.paths));
  }
  TALLY_ASSIGN_OR_RETURN(
      std::unique_ptr<CostIngest> ingest,
      store.BeginCostIngest(IngestRun{std::string(job.format->name), job.command}));
  BillIngestResult result;
  Status status;
  {
    AsyncCostSink async(ingest.get());  // parse on this core, store on the other
    status = IngestFiles(paths, job.format->name, job.format->reader, &async, job.options,
                         &result.totals);
    Status flushed = async.Flush();
    if (status.ok()) status = flushed;
  }
  TALLY_RETURN_IF_ERROR(status);
  TALLY_ASSIGN_OR_RETURN(result.commit, ingest->Commit());
  return result;
}

}  // namespace tally
