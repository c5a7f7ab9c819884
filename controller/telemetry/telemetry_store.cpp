#include "controller/telemetry/telemetry_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace atmo::telemetry {

StoreOptions options_from_config(const v1::Storage& storage, const std::string& default_path) {
  StoreOptions options;
  options.path = storage.database().empty() ? default_path : storage.database();
  if (storage.raw_retention_days() != 0) options.raw_retention_days = storage.raw_retention_days();
  if (storage.rollup_retention_days() != 0) {
    options.rollup_retention_days = storage.rollup_retention_days();
  }
  return options;
}

Result<std::unique_ptr<TelemetryStore>> TelemetryStore::open(StoreOptions options,
                                                             const Clock& clock) {
  if (options.max_batch_readings == 0 || options.max_queued_readings == 0) {
    return make_error("telemetry queue and batch sizes must be at least 1");
  }
  bool incompatible = false;
  auto writer = TelemetryWriter::open(options, &incompatible);
  std::string open_error;
  if (!writer) {
    if (incompatible) return writer.error();
    open_error =
        "cannot open the telemetry database '" + options.path + "': " + writer.error().message;
    spdlog::error("telemetry: {}; queueing and retrying", open_error);
  }
  return std::unique_ptr<TelemetryStore>(new TelemetryStore(
      std::move(options), clock, writer ? std::move(writer).value() : nullptr, std::move(open_error)));
}

TelemetryStore::TelemetryStore(StoreOptions options, const Clock& clock,
                               std::unique_ptr<TelemetryWriter> writer, std::string open_error)
    : options_(std::move(options)),
      clock_(clock),
      writer_(std::move(writer)),
      reader_(TelemetryReader::open_lazily(options_.path, readers_let_go_)),
      next_retention_(std::chrono::steady_clock::now() + options_.retention_interval),
      backoff_(options_.retry_initial),
      max_database_bytes_(options_.max_database_bytes),
      error_(std::move(open_error)),
      degraded_(!error_.empty()),
      thread_([this] { writer_loop(); }) {}

Result<bool> TelemetryStore::ensure_writer() {
  if (writer_) return true;
  auto writer = TelemetryWriter::open(options_);
  if (!writer) return writer.error();
  writer_ = std::move(writer).value();
  if (auto set = writer_->set_max_database_bytes(max_database_bytes_); !set) return set.error();
  if (query_only_) {
    if (auto set = writer_->set_query_only(true); !set) return set.error();
  }
  spdlog::info("telemetry: opened '{}'", options_.path);
  return true;
}

TelemetryStore::~TelemetryStore() { stop(); }

Result<std::unique_ptr<TelemetryReader>> TelemetryStore::open_reader() const {
  return TelemetryReader::open(options_.path, readers_let_go_);
}

void TelemetryStore::append(std::vector<Reading> readings) {
  if (readings.empty()) return;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (stop_) {
      dropped_readings_ += readings.size();
      return;
    }
    const std::size_t before = queue_.size();
    if (before == 0) first_queued_at_ = std::chrono::steady_clock::now();
    for (auto& r : readings) queue_.push_back(std::move(r));
    readings_submitted_ += readings.size();
    enforce_bounds_locked();
    // The writer sleeps without a deadline while the queue is empty; it needs to learn when the
    // batch clock starts, and when a batch is already large.
    wake = before == 0 ||
           (before < options_.max_batch_readings && queue_.size() >= options_.max_batch_readings);
  }
  if (wake) wake_.notify_one();
}

void TelemetryStore::put_state(std::string key, std::string bytes) {
  {
    std::lock_guard lock(mutex_);
    control_.state.insert_or_assign(std::move(key), std::optional<std::string>(std::move(bytes)));
    ++control_submitted_;
  }
  wake_.notify_one();
}

void TelemetryStore::erase_state(std::string key) {
  {
    std::lock_guard lock(mutex_);
    control_.state.insert_or_assign(std::move(key), std::optional<std::string>());
    ++control_submitted_;
  }
  wake_.notify_one();
}

void TelemetryStore::append_event(Event event) {
  {
    std::lock_guard lock(mutex_);
    control_.events.push_back(std::move(event));
    ++control_submitted_;
    enforce_bounds_locked();
  }
  wake_.notify_one();
}

void TelemetryStore::put_daily_index(DailyIndexRow row) {
  {
    std::lock_guard lock(mutex_);
    control_.daily.push_back(std::move(row));
    ++control_submitted_;
  }
  wake_.notify_one();
}

void TelemetryStore::set_max_database_bytes(std::uint64_t bytes) {
  {
    std::lock_guard lock(mutex_);
    pending_max_bytes_ = bytes;
    ++settings_submitted_;
  }
  wake_.notify_one();
}

void TelemetryStore::set_read_only_for_testing(bool read_only) {
  {
    std::lock_guard lock(mutex_);
    pending_query_only_ = read_only;
    ++settings_submitted_;
  }
  wake_.notify_one();
}

bool TelemetryStore::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (stopped_) return queue_.empty() && !control_pending_locked();
  const auto readings_target = readings_submitted_;
  const auto control_target = control_submitted_;
  const auto settings_target = settings_submitted_;
  ++flush_waiters_;
  wake_.notify_one();
  const bool done = done_.wait_for(lock, timeout, [&] {
    return stopped_ || (readings_removed_ >= readings_target && control_done_ >= control_target &&
                        settings_done_ >= settings_target);
  });
  --flush_waiters_;
  return done && readings_removed_ >= readings_target && control_done_ >= control_target;
}

bool TelemetryStore::run_retention(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (stopped_) return false;
  // A pass already under way took its cutoffs before this call: wait for the one after it.
  const auto target = retention_passes_ + (retention_in_progress_ ? 2 : 1);
  retention_requested_ = true;
  wake_.notify_one();
  const bool done =
      done_.wait_for(lock, timeout, [&] { return stopped_ || retention_passes_ >= target; });
  return done && retention_passes_ >= target && last_retention_ok_;
}

void TelemetryStore::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

StoreHealth TelemetryStore::health() const {
  std::lock_guard lock(mutex_);
  StoreHealth h;
  h.state = degraded_ ? StoreHealth::State::degraded : StoreHealth::State::ok;
  h.error = error_;
  h.queued_readings = queue_.size() + in_flight_readings_;
  h.queued_other = control_.state.size() + control_.events.size() + control_.daily.size() + in_flight_other_;
  h.dropped_readings = dropped_readings_;
  h.dropped_events = dropped_events_;
  h.committed_readings = committed_readings_;
  h.last_commit_ms = last_commit_ms_;
  h.failed_commits = failed_commits_;
  h.rejected_writes = rejected_writes_;
  return h;
}

Result<std::optional<std::string>> TelemetryStore::get_state(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = control_.state.find(key); it != control_.state.end()) return it->second;
    if (auto it = in_flight_state_.find(key); it != in_flight_state_.end()) return it->second;
  }
  return reader_->get_state(key);
}

bool TelemetryStore::control_pending_locked() const {
  return !control_.state.empty() || !control_.events.empty() || !control_.daily.empty();
}

void TelemetryStore::enforce_bounds_locked() {
  // in_flight readings are the oldest of all, but they are being written; drop from the queue.
  const std::size_t total = queue_.size() + in_flight_readings_;
  if (total > options_.max_queued_readings) {
    const std::size_t excess = std::min(total - options_.max_queued_readings, queue_.size());
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(excess));
    dropped_readings_ += excess;
    readings_removed_ += excess;
    if (queue_.empty()) first_queued_at_.reset();
    if (dropped_readings_ == excess) {
      spdlog::warn("telemetry: queue full ({} readings), dropping the oldest readings",
                   options_.max_queued_readings);
    }
  }
  if (control_.events.size() > options_.max_queued_events) {
    const std::size_t excess = control_.events.size() - options_.max_queued_events;
    control_.events.erase(control_.events.begin(),
                          control_.events.begin() + static_cast<std::ptrdiff_t>(excess));
    dropped_events_ += excess;
  }
}

void TelemetryStore::apply_settings(std::unique_lock<std::mutex>& lock) {
  const auto max_bytes = std::exchange(pending_max_bytes_, std::nullopt);
  const auto query_only = std::exchange(pending_query_only_, std::nullopt);
  const auto mark = settings_submitted_;
  lock.unlock();
  if (max_bytes) max_database_bytes_ = *max_bytes;
  if (query_only) query_only_ = *query_only;
  // Without a writer the settings wait in the members above until the file opens.
  if (max_bytes && writer_) {
    if (auto set = writer_->set_max_database_bytes(*max_bytes); !set) {
      spdlog::error("telemetry: cannot change the database size cap: {}", set.error().message);
    }
  }
  if (query_only && writer_) {
    if (auto set = writer_->set_query_only(*query_only); !set) {
      spdlog::error("telemetry: cannot change query_only: {}", set.error().message);
    }
  }
  lock.lock();
  settings_done_ = mark;
  // A changed limit may be what the degraded writer was waiting for: retry now.
  retry_at_.reset();
  backoff_ = options_.retry_initial;
  done_.notify_all();
}

void TelemetryStore::commit_batch(std::unique_lock<std::mutex>& lock) {
  PendingWrites batch;
  const std::size_t n = std::min(queue_.size(), options_.max_batch_readings);
  // Keep the lock short (the controller thread may be waiting in append): swap the whole queue
  // when it fits in one batch, and build the vector after unlocking.
  std::deque<Reading> taken;
  if (n == queue_.size()) {
    taken.swap(queue_);
  } else {
    const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
    std::move(queue_.begin(), end, std::back_inserter(taken));
    queue_.erase(queue_.begin(), end);
  }
  in_flight_readings_ = n;
  const auto first_queued_at = first_queued_at_;
  // Leftovers keep the old timestamp, so a backlog is written out without waiting again.
  if (queue_.empty()) first_queued_at_.reset();
  batch.state = std::exchange(control_.state, {});
  batch.events = std::exchange(control_.events, {});
  batch.daily = std::exchange(control_.daily, {});
  in_flight_state_ = batch.state;
  in_flight_other_ = batch.state.size() + batch.events.size() + batch.daily.size();
  const auto control_mark = control_submitted_;
  lock.unlock();
  batch.readings.assign(std::make_move_iterator(taken.begin()),
                        std::make_move_iterator(taken.end()));

  std::size_t rejected_readings = 0;
  std::size_t rejected_other = 0;
  auto committed = ensure_writer();
  if (committed) {
    committed = writer_->commit(batch, clock_.now_ms());
    if (committed) {
      batch = PendingWrites{};
    } else if (writer_->last_failure_was_bad_data()) {
      // One invalid write must not block everything behind it forever: find it and refuse it.
      spdlog::warn("telemetry: the database refused a write as invalid ({}); retrying one by one",
                   committed.error().message);
      committed = commit_one_by_one(batch, rejected_readings, rejected_other);
    }
  }
  if (!committed && writer_ && writer_->needs_reopen()) {
    // SQLite never upgrades a read-only connection: once the file is writable again (ownership
    // fixed, file system remounted) only a new one can write. Open it afresh on the next retry,
    // with no reader holding on to a read-only WAL index meanwhile.
    writer_.reset();
    readers_let_go_->store(true);
  } else if (committed) {
    readers_let_go_->store(false);
  }
  // What is left in `batch` is neither committed nor refused: it goes back to the queue.
  const std::size_t settled = n - batch.readings.size();

  lock.lock();
  in_flight_readings_ = 0;
  in_flight_state_.clear();
  in_flight_other_ = 0;
  readings_removed_ += settled;
  committed_readings_ += settled - rejected_readings;
  rejected_writes_ += rejected_readings + rejected_other;
  if (committed) {
    control_done_ = control_mark;
    last_commit_ms_ = clock_.now_ms();
    if (degraded_) {
      spdlog::info("telemetry: writes succeed again after {} failed attempts; {} readings queued",
                   failures_in_row_, queue_.size());
    }
    failures_in_row_ = 0;
    degraded_ = false;
    error_.clear();
    retry_at_.reset();
    backoff_ = options_.retry_initial;
  } else {
    ++failed_commits_;
    ++failures_in_row_;
    const std::string& why = committed.error().message;
    std::string error =
        why.find(options_.path) != std::string::npos
            ? why
            : "cannot write to the telemetry database '" + options_.path + "': " + why;
    if (!degraded_ || error_ != error) {
      spdlog::error("telemetry: {}; keeping {} readings queued and retrying", error,
                    queue_.size() + batch.readings.size());
    }
    degraded_ = true;
    error_ = std::move(error);
    // Put everything back where it was: these are the oldest readings and the oldest writes.
    queue_.insert(queue_.begin(), std::make_move_iterator(batch.readings.begin()),
                  std::make_move_iterator(batch.readings.end()));
    if (!batch.readings.empty()) {
      first_queued_at_ = first_queued_at ? first_queued_at : std::chrono::steady_clock::now();
    }
    for (auto& [key, value] : batch.state) control_.state.try_emplace(key, std::move(value));
    control_.events.insert(control_.events.begin(), std::make_move_iterator(batch.events.begin()),
                           std::make_move_iterator(batch.events.end()));
    control_.daily.insert(control_.daily.begin(), std::make_move_iterator(batch.daily.begin()),
                          std::make_move_iterator(batch.daily.end()));
    enforce_bounds_locked();
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, options_.retry_max);
  }
  done_.notify_all();
}

Result<bool> TelemetryStore::commit_one_by_one(PendingWrites& batch, std::size_t& rejected_readings,
                                               std::size_t& rejected_other) {
  const TimeMs now = clock_.now_ms();
  // Commits `one`; a write the database calls invalid is logged and counted, any other failure
  // (full disk, I/O) stops here and leaves the rest of `batch` to be retried.
  auto settle = [&](const PendingWrites& one, const char* what,
                    std::size_t& rejected) -> Result<bool> {
    auto done = writer_->commit(one, now);
    if (done) return true;
    if (!writer_->last_failure_was_bad_data()) return done;
    spdlog::error("telemetry: refused an invalid {}: {}", what, done.error().message);
    ++rejected;
    return true;
  };
  while (!batch.state.empty()) {
    PendingWrites one;
    one.state.insert(*batch.state.begin());
    if (auto r = settle(one, "state write", rejected_other); !r) return r;
    batch.state.erase(batch.state.begin());
  }
  while (!batch.events.empty()) {
    PendingWrites one;
    one.events.push_back(batch.events.front());
    if (auto r = settle(one, "event", rejected_other); !r) return r;
    batch.events.erase(batch.events.begin());
  }
  while (!batch.daily.empty()) {
    PendingWrites one;
    one.daily.push_back(batch.daily.front());
    if (auto r = settle(one, "daily index row", rejected_other); !r) return r;
    batch.daily.erase(batch.daily.begin());
  }
  PendingWrites readings;
  readings.readings = std::move(batch.readings);
  batch.readings.clear();
  auto all = writer_->commit(readings, now);
  if (all) return true;
  if (!writer_->last_failure_was_bad_data()) {
    batch.readings = std::move(readings.readings);
    return all;
  }
  for (std::size_t i = 0; i < readings.readings.size(); ++i) {
    PendingWrites one;
    one.readings.push_back(readings.readings[i]);
    if (auto r = settle(one, "reading", rejected_readings); !r) {
      batch.readings.assign(
          std::make_move_iterator(readings.readings.begin() + static_cast<std::ptrdiff_t>(i)),
          std::make_move_iterator(readings.readings.end()));
      return r;
    }
  }
  return true;
}

void TelemetryStore::retention_step(std::unique_lock<std::mutex>& lock, SteadyTime now) {
  retention_in_progress_ = true;
  lock.unlock();
  bool ok = true;
  std::string error;
  if (!writer_) {
    ok = false;
    error = "the database is not open";
  } else if (!retention_pass_) {
    auto pass = writer_->begin_retention(clock_.now_ms(), options_.raw_retention_days,
                                         options_.rollup_retention_days);
    if (pass) {
      retention_pass_ = std::move(pass).value();
    } else {
      ok = false;
      error = pass.error().message;
    }
  }
  if (ok && !retention_pass_->done()) {
    if (auto step = writer_->retention_step(*retention_pass_, options_.retention_batch_rows);
        !step) {
      ok = false;
      error = step.error().message;
    }
  }
  const bool finished = !ok || !retention_pass_ || retention_pass_->done();
  if (!ok) spdlog::warn("telemetry: retention pass failed, retrying later: {}", error);
  if (finished && ok && retention_pass_ && retention_pass_->deleted_rows > 0) {
    spdlog::info("telemetry: retention deleted {} expired rows", retention_pass_->deleted_rows);
  }
  lock.lock();
  if (finished) {
    retention_pass_.reset();
    retention_in_progress_ = false;
    retention_requested_ = false;
    last_retention_ok_ = ok;
    ++retention_passes_;
    next_retention_ = now + options_.retention_interval;
    done_.notify_all();
  }
}

void TelemetryStore::writer_loop() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mutex_);
  std::optional<SteadyTime> stop_deadline;
  for (;;) {
    const auto now = Clock::now();
    if (stop_ && !stop_deadline) stop_deadline = now + options_.stop_timeout;
    const bool have_work = !queue_.empty() || control_pending_locked();
    if (stop_ && (!have_work || now >= *stop_deadline)) break;

    if (settings_done_ != settings_submitted_) {
      apply_settings(lock);
      continue;
    }
    const bool backing_off = retry_at_ && now < *retry_at_;
    const bool due = control_pending_locked() || flush_waiters_ > 0 || stop_ ||
                     queue_.size() >= options_.max_batch_readings ||
                     (first_queued_at_ && now - *first_queued_at_ >= options_.max_batch_age);
    if (have_work && due && !backing_off) {
      commit_batch(lock);
      continue;
    }
    // Retention only in the gaps: never while a full batch waits, unless writes fail anyway
    // (then deleting may be what frees the pages the writer needs).
    const bool retention_due =
        retention_requested_ || retention_in_progress_ || (now >= next_retention_ && !stop_);
    if (retention_due && (queue_.size() < options_.max_batch_readings || degraded_)) {
      retention_step(lock, now);
      continue;
    }

    std::optional<SteadyTime> wake_at;
    auto earliest = [&](SteadyTime t) { wake_at = wake_at ? std::min(*wake_at, t) : t; };
    if (backing_off && have_work) earliest(*retry_at_);
    if (!backing_off && first_queued_at_ && !queue_.empty()) {
      earliest(*first_queued_at_ + options_.max_batch_age);
    }
    if (!stop_) earliest(next_retention_);
    if (stop_deadline) earliest(*stop_deadline);
    if (wake_at) {
      wake_.wait_until(lock, *wake_at);
    } else {
      wake_.wait(lock);
    }
  }
  if (!queue_.empty() || control_pending_locked()) {
    spdlog::error(
        "telemetry: stopping with {} readings and {} other writes not committed ({}); they are "
        "lost",
        queue_.size(), control_.state.size() + control_.events.size() + control_.daily.size(),
        error_.empty() ? "stop timeout" : error_);
    dropped_readings_ += queue_.size();
    readings_removed_ += queue_.size();
    queue_.clear();
  }
  stopped_ = true;
  done_.notify_all();
}

}  // namespace atmo::telemetry
