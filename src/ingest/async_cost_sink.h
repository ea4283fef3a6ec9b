// AsyncCostSink: a CostSink that hands every call to another CostSink on a worker thread, so
// that reading and parsing (the caller's thread) overlap with storing (the worker) on two
// cores. Calls reach the target in the order they were made. Rows are copied into batches of
// about 4 MiB, and at most `max_batches` wait in the queue, so memory stays bounded whatever
// the size of the input.
//
// The caller uses it from one thread. The target is used only from the worker thread, and
// again by the caller once Flush() has returned.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "tally/cost_sink.h"

namespace tally {

class AsyncCostSink final : public CostSink {
 public:
  // `target` must outlive this object.
  explicit AsyncCostSink(CostSink* target, size_t max_batches = 4);
  // Drains what is queued and stops the worker.
  ~AsyncCostSink() override;
  AsyncCostSink(const AsyncCostSink&) = delete;
  AsyncCostSink& operator=(const AsyncCostSink&) = delete;

  // Each returns the first error the target has returned so far, if any; later calls are
  // then dropped.
  Status BeginFile(const SourceFile& file) override;
  Status DeclareExtraColumns(const std::vector<std::string>& names) override;
  Status Add(const CostLine& line) override;
  Status AddDiagnostic(const Diagnostic& diagnostic) override;
  Status AbandonFile() override;

  // Waits until the target has received every call made so far; returns its first error.
  Status Flush();

 private:
  struct Batch;
  Batch& Current();
  void Submit();
  void Work();
  Status FirstError();

  CostSink* target_;
  const size_t max_batches_;
  std::unique_ptr<Batch> current_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Batch>> queue_;  // guarded by mu_
  bool busy_ = false;                         // guarded by mu_: the worker holds a batch
  bool stopping_ = false;                     // guarded by mu_
  Status error_;                              // guarded by mu_: the target's first error
  std::thread worker_;
};

}  // namespace tally
