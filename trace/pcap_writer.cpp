#include "trace/pcap_writer.h"

#include <pthread.h>

#include <utility>

namespace isupgw::trace {

PcapWriter::PcapWriter(RollingPcap pcap) : pcap_(std::move(pcap)) {
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "trace-writer");
}

PcapWriter::~PcapWriter() {
  {
    std::lock_guard g(m_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void PcapWriter::submit(Batch& b) {
  if (b.records.empty()) return;
  {
    std::lock_guard g(m_);
    if (queue_.size() >= kMaxQueued) {
      ++dropped_;
      error_ = "trace writer behind the calls: a batch of " + std::to_string(b.records.size()) + " records dropped";
      b.clear();
      return;
    }
    queue_.emplace_back();
    std::swap(queue_.back(), b);
    if (!spare_.empty()) {  // the storage of a batch already written, for the next one
      std::swap(b, spare_.back());
      spare_.pop_back();
    }
  }
  cv_.notify_one();
}

void PcapWriter::tick(std::int64_t now_s) {
  {
    std::lock_guard g(m_);
    tick_s_ = now_s;
  }
  cv_.notify_one();
}

std::string PcapWriter::take_error() {
  std::lock_guard g(m_);
  return std::exchange(error_, std::string());
}

std::uint64_t PcapWriter::dropped() const {
  std::lock_guard g(m_);
  return dropped_;
}

std::uint64_t PcapWriter::written() const {
  std::lock_guard g(m_);
  return written_;
}

void PcapWriter::run() {
  std::vector<Batch> work;
  std::unique_lock lock(m_);
  for (;;) {
    cv_.wait(lock, [&] { return !queue_.empty() || tick_s_ >= 0 || stopping_; });
    if (queue_.empty() && tick_s_ < 0 && stopping_) return;
    std::swap(work, queue_);
    const std::int64_t tick = std::exchange(tick_s_, -1);
    lock.unlock();
    std::string error;
    for (auto& b : work)
      if (auto r = pcap_.write(b); !r) error = r.error();
    if (tick >= 0)
      if (auto r = pcap_.tick(tick); !r) error = r.error();
    lock.lock();
    written_ += work.size();
    if (!error.empty()) error_ = std::move(error);
    for (auto& b : work) {
      if (spare_.size() >= 2) break;
      b.clear();
      spare_.push_back(std::move(b));
    }
    work.clear();
  }
}

}  // namespace isupgw::trace
