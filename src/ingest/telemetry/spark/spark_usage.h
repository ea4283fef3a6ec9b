// A Spark application's reservations and use as usage facts (docs/formats/spark-eventlog.md).
// The consumer is the application id; the assets are the executors' and the driver's hosts.
//   cpu (core):   request = executor cores from add to remove (or the application's end), and
//                 the driver's cores for the application's life; usage = each task's Executor
//                 Run Time x its task cpus, over the run time that ends at its finish.
//   memory (GiB): request = executor memory + overhead (+ off-heap, pyspark), and the driver's;
//                 usage = the peak logged (Spark 3.0+ executor metrics) over the same life.
//   gpu (gpu):    request = GPU addresses assigned; usage = run time x task GPU amount.
// Labels: user, app_name, queue (spark.yarn.queue), and spark.tally.<key> as <key>.
#pragma once

#include "ingest/telemetry/jobs/job_usage.h"
#include "ingest/telemetry/spark/spark_event_log.h"

namespace tally {

// What was added for one application, in amount-milliseconds (for the ingest summary).
struct SparkUsageTotals {
  Decimal reserved_core_ms;  // executors and driver
  Decimal task_core_ms;
  int64_t executors = 0;
  int64_t tasks = 0;
};

// The consumer's labels, and its Kubernetes namespace when it ran there.
Consumer SparkConsumer(const SparkApplication& app);

// Adds the application's facts to `usage`. Errors: kInvalidArgument for amounts out of range.
Result<SparkUsageTotals> AddSparkApplication(const SparkApplication& app, JobUsage* usage);

// "4g", "512m", "2048" (MiB) and the other JVM size strings, in MiB; none when unreadable.
std::optional<int64_t> SparkSizeMib(std::string_view text);

}  // namespace tally
