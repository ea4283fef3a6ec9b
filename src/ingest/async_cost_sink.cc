#include "ingest/async_cost_sink.h"

#include <string>
#include <vector>

namespace tally {
namespace {

constexpr size_t kBatchBytes = 4u << 20;

// Copies `text` into `arena` (which must not reallocate) and returns the copy.
std::string_view CopyInto(std::string* arena, std::string_view text) {
  if (text.empty()) return {};
  size_t at = arena->size();
  arena->append(text);
  return std::string_view(arena->data() + at, text.size());
}

size_t TextSize(const CostLine& line) {
  size_t n = line.extras.size();
  for (std::string_view d : line.dims) n += d.size();
  return n;
}

}  // namespace

// One batch of calls, in order. Lines point into `arena`, which is sized before any copy and
// never reallocated while lines point into it.
struct AsyncCostSink::Batch {
  enum class Kind { kBeginFile, kDeclare, kLine, kDiagnostic, kAbandonFile };
  struct Op {
    Kind kind;
    size_t index;
  };
  std::vector<Op> ops;
  std::vector<CostLine> lines;
  std::vector<SourceFile> files;
  std::vector<std::vector<std::string>> declarations;
  std::vector<Diagnostic> diagnostics;
  std::string arena;
};

AsyncCostSink::AsyncCostSink(CostSink* target, size_t max_batches)
    : target_(target), max_batches_(max_batches), worker_([this] { Work(); }) {}

AsyncCostSink::~AsyncCostSink() {
  (void)Flush();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

AsyncCostSink::Batch& AsyncCostSink::Current() {
  if (!current_) {
    current_ = std::make_unique<Batch>();
    current_->arena.reserve(kBatchBytes);
  }
  return *current_;
}

Status AsyncCostSink::FirstError() {
  std::lock_guard lock(mu_);
  return error_;
}

void AsyncCostSink::Submit() {
  if (!current_ || current_->ops.empty()) return;
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return queue_.size() < max_batches_ || !error_.ok(); });
  queue_.push_back(std::move(current_));
  lock.unlock();
  changed_.notify_all();
}

Status AsyncCostSink::BeginFile(const SourceFile& file) {
  Batch& b = Current();
  b.ops.push_back({Batch::Kind::kBeginFile, b.files.size()});
  b.files.push_back(file);
  return FirstError();
}

Status AsyncCostSink::DeclareExtraColumns(const std::vector<std::string>& names) {
  Batch& b = Current();
  b.ops.push_back({Batch::Kind::kDeclare, b.declarations.size()});
  b.declarations.push_back(names);
  return FirstError();
}

Status AsyncCostSink::Add(const CostLine& line) {
  const size_t size = TextSize(line);
  if (current_ && current_->arena.size() + size > current_->arena.capacity()) Submit();
  Batch& b = Current();
  if (b.arena.size() + size > b.arena.capacity()) b.arena.reserve(size);  // one huge row, alone
  CostLine copy = line;
  for (std::string_view& d : copy.dims) d = CopyInto(&b.arena, d);
  copy.extras = CopyInto(&b.arena, line.extras);
  b.ops.push_back({Batch::Kind::kLine, b.lines.size()});
  b.lines.push_back(copy);
  if (b.lines.size() % 1024 == 0) return FirstError();  // checking costs a lock; not every row
  return Status::Ok();
}

Status AsyncCostSink::AddDiagnostic(const Diagnostic& diagnostic) {
  constexpr size_t kBatchDiagnostics = 4096;  // a batch of problems alone is bounded too
  if (current_ && current_->diagnostics.size() >= kBatchDiagnostics) Submit();
  Batch& b = Current();
  b.ops.push_back({Batch::Kind::kDiagnostic, b.diagnostics.size()});
  b.diagnostics.push_back(diagnostic);
  return FirstError();
}

Status AsyncCostSink::AbandonFile() {
  Batch& b = Current();
  b.ops.push_back({Batch::Kind::kAbandonFile, 0});
  return FirstError();
}

Status AsyncCostSink::Flush() {
  Submit();
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return (queue_.empty() && !busy_) || !error_.ok(); });
  return error_;
}

void AsyncCostSink::Work() {
  for (;;) {
    std::unique_ptr<Batch> batch;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and nothing left
      batch = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    changed_.notify_all();
    Status status;
    for (const Batch::Op& op : batch->ops) {
      switch (op.kind) {
        case Batch::Kind::kBeginFile:
          status = target_->BeginFile(batch->files[op.index]);
          break;
        case Batch::Kind::kDeclare:
          status = target_->DeclareExtraColumns(batch->declarations[op.index]);
          break;
        case Batch::Kind::kLine:
          status = target_->Add(batch->lines[op.index]);
          break;
        case Batch::Kind::kDiagnostic:
          status = target_->AddDiagnostic(batch->diagnostics[op.index]);
          break;
        case Batch::Kind::kAbandonFile:
          status = target_->AbandonFile();
          break;
      }
      if (!status.ok()) break;
    }
    {
      std::lock_guard lock(mu_);
      busy_ = false;
      if (!status.ok() && error_.ok()) error_ = status;
      if (!error_.ok()) queue_.clear();  // nothing after an error reaches the target
    }
    changed_.notify_all();
  }
}

}  // namespace tally
