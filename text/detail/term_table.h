// text/detail/term_table.h: TermTable, an insert-only hash set of byte strings giving dense ids
// (0, 1, 2, ... in insertion order). Keys are copied once into one arena, so looking up a token
// allocates nothing; this is the vectorizer's inner loop.
//
// Each 16-byte slot holds the key's first 8 bytes, its length and a 16-bit hash tag, so a key of
// at most 8 bytes (most words) is found or rejected with one cache line and no arena access. A
// parallel array holds each slot's key bytes [8, 16), so a key of at most 16 bytes needs one more
// line (prefetched with the slot) instead of two dependent loads (entry, then arena).
// probe_padded may load up to 8 bytes past the key's end (the caller guarantees they are
// readable), which makes short keys a single masked load.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace textaudit::text::detail {

class TermTable {
 public:
  static constexpr std::size_t kPadding = 8;  // readable bytes required after a padded key

  TermTable() {
    slots_.assign(kInitialSlots, Slot{});
    second_.assign(kInitialSlots, 0);
  }

  std::size_t size() const { return entries_.size(); }
  std::string_view term(std::int32_t id) const { return {arena_.data() + entries_[id].offset, entries_[id].size}; }

  // A key's hash, computed ahead so that a batch of lookups can prefetch their slots first (hides
  // the cache misses of a table larger than L2). probe_padded requires kPadding readable bytes
  // after key.data() + key.size().
  struct Probe {
    std::uint64_t prefix;  // bytes [0, 8), zero-padded
    std::uint64_t second;  // bytes [8, 16), zero-padded (0 for keys of at most 8 bytes)
    std::uint64_t hash;
  };
  static Probe probe(std::string_view key) {
    const std::uint64_t prefix = load_safe(key.data(), key.size());
    const std::uint64_t second = key.size() > 8 ? load_safe(key.data() + 8, key.size() - 8) : 0;
    return {prefix, second, hash(key.data(), key.size(), prefix, second)};
  }
  static Probe probe_padded(std::string_view key) {
    const std::uint64_t prefix = load_padded(key.data(), key.size());
    const std::uint64_t second = key.size() > 8 ? load_padded(key.data() + 8, key.size() - 8) : 0;
    return {prefix, second, hash(key.data(), key.size(), prefix, second)};
  }
  // Prefetches the slot(s) a lookup of a key of `size` bytes will read.
  void prefetch(const Probe& p, std::size_t size) const {
    const std::size_t i = p.hash & (slots_.size() - 1);
    __builtin_prefetch(&slots_[i]);
    if (size > 8) __builtin_prefetch(&second_[i]);
  }

  // Id of `key`, or -1.
  std::int32_t find(std::string_view key) const { return find(key, probe(key)); }
  std::int32_t find(std::string_view key, const Probe& p) const;  // p = probe(key) or probe_padded(key)
  // Id of `key`, inserted if absent.
  std::int32_t insert(std::string_view key) { return insert(key, probe(key)); }
  std::int32_t insert(std::string_view key, const Probe& p);

  void reserve(std::size_t n_terms) {
    while (slots_.size() < 2 * n_terms) grow();
  }

 private:
  static constexpr std::size_t kInitialSlots = 1024;
  static constexpr std::uint32_t kLongKey = 0xFFFF;  // Slot::size for keys of 65535 bytes or more

  struct Slot {
    std::uint64_t prefix = 0;  // first min(size, 8) bytes, zero-padded (little-endian load)
    std::uint32_t id1 = 0;     // id + 1; 0 = empty
    std::uint16_t tag = 0;     // hash bits not used for the slot index
    std::uint16_t size = 0;    // min(size, kLongKey)
  };
  struct Entry {
    std::uint64_t offset;  // into arena_
    std::uint64_t size;
  };

  static std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
  }
  static std::uint64_t mask_low(std::uint64_t w, std::size_t n) {
    return n >= 8 ? w : w & ((std::uint64_t{1} << (8 * n)) - 1);
  }
  // The first min(n, 8) bytes of p as a little-endian word, zero-padded; reads only p[0, n).
  static std::uint64_t load_safe(const char* p, std::size_t n) {
    std::uint64_t w = 0;
    if (n >= 8) {
      std::memcpy(&w, p, 8);
    } else if (n >= 4) {
      std::uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      w = lo | (static_cast<std::uint64_t>(hi) << (8 * (n - 4)));
    } else {
      for (std::size_t i = 0; i < n; ++i) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    }
    return w;
  }
  static std::uint64_t load_padded(const char* p, std::size_t n) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return mask_low(w, n);
  }
  // wyhash-style: the prefix and the length, then the rest in 8-byte words (the last one
  // zero-padded). A fixed function of the bytes: ids and output never depend on it anyway.
  static std::uint64_t hash(const char* p, std::size_t n, std::uint64_t prefix, std::uint64_t second) {
    std::uint64_t h = mix(prefix ^ 0xa0761d6478bd642fULL, n ^ 0xe7037ed1a0b428dbULL);
    if (n <= 8) return h;
    h = mix(h ^ second, 0x8ebc6af09c88c6e3ULL);
    for (std::size_t i = 16; i < n; i += 8) h = mix(h ^ load_safe(p + i, n - i), 0x8ebc6af09c88c6e3ULL);
    return h;
  }
  static std::uint16_t clamp_size(std::size_t n) { return static_cast<std::uint16_t>(n < kLongKey ? n : kLongKey); }

  // Whether slot i (non-empty) holds `key`, whose probe is p.
  bool matches(std::size_t i, std::string_view key, const Probe& p, std::uint16_t tag) const {
    const Slot& s = slots_[i];
    if (s.tag != tag || s.prefix != p.prefix || s.size != clamp_size(key.size())) return false;
    if (key.size() <= 8) return true;
    if (second_[i] != p.second) return false;
    if (key.size() <= 16) return true;  // sizes are equal here
    const Entry& e = entries_[s.id1 - 1];
    return e.size == key.size() && std::memcmp(arena_.data() + e.offset + 16, key.data() + 16, key.size() - 16) == 0;
  }

  void grow() {
    std::vector<Slot> old;
    std::vector<std::uint64_t> old_second;
    old.swap(slots_);
    old_second.swap(second_);
    slots_.assign(old.size() * 2, Slot{});
    second_.assign(old.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t j = 0; j < old.size(); ++j) {
      if (old[j].id1 == 0) continue;
      std::size_t i = hashes_[old[j].id1 - 1] & mask;
      while (slots_[i].id1 != 0) i = (i + 1) & mask;
      slots_[i] = old[j];
      second_[i] = old_second[j];
    }
  }

  std::vector<Slot> slots_;
  std::vector<std::uint64_t> second_;  // per slot: its key's bytes [8, 16), zero-padded
  std::vector<Entry> entries_;         // per id
  std::vector<std::uint64_t> hashes_;  // per id, for grow()
  std::string arena_;
};

inline std::int32_t TermTable::find(std::string_view key, const Probe& p) const {
  const auto tag = static_cast<std::uint16_t>(p.hash >> 48);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = p.hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.id1 == 0) return -1;
    if (matches(i, key, p, tag)) return static_cast<std::int32_t>(s.id1 - 1);
  }
}

inline std::int32_t TermTable::insert(std::string_view key, const Probe& p) {
  const auto tag = static_cast<std::uint16_t>(p.hash >> 48);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = p.hash & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.id1 == 0) {
      const auto id = static_cast<std::int32_t>(entries_.size());
      entries_.push_back({arena_.size(), key.size()});
      hashes_.push_back(p.hash);
      arena_.append(key);
      s = Slot{p.prefix, static_cast<std::uint32_t>(id + 1), tag, clamp_size(key.size())};
      second_[i] = p.second;
      if (2 * entries_.size() > slots_.size()) grow();  // load factor <= 1/2
      return id;
    }
    if (matches(i, key, p, tag)) return static_cast<std::int32_t>(s.id1 - 1);
  }
}

}  // namespace textaudit::text::detail
