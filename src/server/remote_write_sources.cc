#include "server/remote_write_sources.h"

namespace tally {

RemoteWriteSources::RemoteWriteSources(std::string default_source)
    : default_source_(std::move(default_source)) {
  receivers_.emplace(default_source_, std::make_unique<RemoteWriteReceiver>(default_source_));
}

RemoteWriteReceiver* RemoteWriteSources::ReceiverOf(const std::string& source, Status* error) {
  std::lock_guard lock(mu_);
  auto it = receivers_.find(source);
  if (it != receivers_.end()) return it->second.get();
  if (Status name = CheckSourceName(source); !name.ok() || source == "*") {
    *error = name.ok() ? InvalidArgument("source \"*\" is not a name") : name;
    return nullptr;
  }
  if (receivers_.size() >= kMaxSources) {
    *error = Unavailable("remote write: already " + std::to_string(kMaxSources) +
                         " sources; push to one of them");
    return nullptr;
  }
  return receivers_.emplace(source, std::make_unique<RemoteWriteReceiver>(source))
      .first->second.get();
}

Status RemoteWriteSources::Accept(const std::string& source, const std::string& pusher,
                                  std::string_view body, const RemoteWriteLimits& limits) {
  Status error;
  RemoteWriteReceiver* receiver = ReceiverOf(source, &error);
  if (receiver == nullptr) return error;
  TALLY_RETURN_IF_ERROR(receiver->Accept(body, limits));
  std::lock_guard lock(mu_);
  Pushes& p = pushes_[{source, pusher}];
  ++p.requests;
  p.bytes += static_cast<int64_t>(body.size());
  return Status::Ok();
}

std::string RemoteWriteSources::Flush(Store* store, AccessControl* audit, bool final) {
  std::vector<RemoteWriteReceiver*> receivers;
  std::map<std::pair<std::string, std::string>, Pushes> pushes;
  {
    std::lock_guard lock(mu_);
    for (auto& [name, r] : receivers_) receivers.push_back(r.get());
    pushes.swap(pushes_);
  }
  std::string errors;
  for (RemoteWriteReceiver* r : receivers) {
    auto commit = r->Flush(store, final);
    if (!commit.ok()) {
      errors += (errors.empty() ? "" : "\n") + r->source() + ": " + commit.status().message();
      (void)store->RecordUsageRun(r->source(), Timestamp::FromUnixSeconds(std::time(nullptr)),
                                  commit.status().message());
    }
  }
  if (audit != nullptr) {
    for (const auto& [key, p] : pushes) {
      const nlohmann::json detail{{"requests", p.requests}, {"bytes", p.bytes}};
      auto recorded = audit->Record(key.second, "remote_write", key.first, detail.dump());
      if (!recorded.ok()) {
        errors +=
            (errors.empty() ? "" : "\n") + std::string("audit: ") + recorded.status().message();
      }
    }
  }
  return errors;
}

nlohmann::ordered_json RemoteWriteSources::StatsJson() const {
  using Json = nlohmann::ordered_json;
  RemoteWriteStats sum;
  Json sources = Json::array();
  std::lock_guard lock(mu_);
  for (const auto& [name, r] : receivers_) {
    const RemoteWriteStats s = r->stats();
    sum.requests += s.requests;
    sum.bad_requests += s.bad_requests;
    sum.samples += s.samples;
    sum.samples_late += s.samples_late;
    sum.flushes = std::max(sum.flushes, s.flushes);
    sum.facts_stored += s.facts_stored;
    sources.push_back(Json{{"source", name},
                           {"requests", s.requests},
                           {"samples", s.samples},
                           {"facts_stored", s.facts_stored}});
  }
  return Json{{"source", default_source_},        {"requests", sum.requests},
              {"bad_requests", sum.bad_requests}, {"samples", sum.samples},
              {"samples_late", sum.samples_late}, {"flushes", sum.flushes},
              {"facts_stored", sum.facts_stored}, {"sources", std::move(sources)}};
}

}  // namespace tally
