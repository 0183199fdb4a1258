// text/detail/term_table.h: TermTable, an insert-only hash set of byte strings giving dense ids
// (0, 1, 2, ... in insertion order). Keys are copied once into one arena, so looking up a token
// allocates nothing; this is the vectorizer's inner loop.
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace textaudit::text::detail {

class TermTable {
 public:
  TermTable() { slots_.assign(kInitialSlots, 0); }

  std::size_t size() const { return entries_.size(); }
  std::string_view term(std::int32_t id) const { return {arena_.data() + entries_[id].offset, entries_[id].size}; }

  // Id of `key`, or -1.
  std::int32_t find(std::string_view key) const {
    const std::uint64_t h = hash(key);
    const std::uint64_t tag = h >> 32;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint64_t slot = slots_[i];
      if (slot == 0) return -1;
      const auto id = static_cast<std::int32_t>(slot & 0xFFFFFFFFu) - 1;
      if ((slot >> 32) == tag && term(id) == key) return id;
    }
  }

  // Id of `key`, inserted if absent.
  std::int32_t insert(std::string_view key) {
    const std::uint64_t h = hash(key);
    const std::uint64_t tag = h >> 32;
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint64_t slot = slots_[i];
      if (slot == 0) {
        const auto id = static_cast<std::int32_t>(entries_.size());
        entries_.push_back({arena_.size(), key.size()});
        arena_.append(key);
        slots_[i] = (tag << 32) | static_cast<std::uint64_t>(id + 1);
        if (2 * entries_.size() > slots_.size()) grow();  // load factor <= 1/2
        return id;
      }
      const auto id = static_cast<std::int32_t>(slot & 0xFFFFFFFFu) - 1;
      if ((slot >> 32) == tag && term(id) == key) return id;
    }
  }

  void reserve(std::size_t n_terms) {
    while (slots_.size() < 2 * n_terms) grow();
  }

 private:
  static constexpr std::size_t kInitialSlots = 1024;
  static std::uint64_t hash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

  void grow() {
    std::vector<std::uint64_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint64_t slot : old) {
      if (slot == 0) continue;
      const auto id = static_cast<std::int32_t>(slot & 0xFFFFFFFFu) - 1;
      std::size_t i = hash(term(id)) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<std::uint64_t> slots_;  // (hash >> 32) << 32 | (id + 1); 0 = empty
  struct Entry {
    std::size_t offset;  // into arena_
    std::size_t size;
  };
  std::vector<Entry> entries_;  // per id: one cache line access per comparison
  std::string arena_;
};

}  // namespace textaudit::text::detail
