// Byte buffers. SecureBytes wipes its memory when freed or reallocated, so a
// secret held in one never outlives its owner in the heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ecert {

// Overwrites `n` bytes in a way the compiler may not optimise away.
void secure_wipe(void* p, std::size_t n) noexcept;

// Constant-time equality of two buffers of the same length; different lengths
// compare unequal (the length itself is not secret here).
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

using Bytes = std::vector<std::uint8_t>;
using SecureBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView view(const void* p, std::size_t n) { return ByteView(static_cast<const std::uint8_t*>(p), n); }
inline ByteView view(std::string_view s) { return view(s.data(), s.size()); }
template <class V>
inline ByteView view(const V& v) {
  return view(static_cast<const void*>(v.data()), v.size() * sizeof(*v.data()));
}
inline SecureBytes secure_copy(ByteView v) { return SecureBytes(v.begin(), v.end()); }
inline Bytes copy(ByteView v) { return Bytes(v.begin(), v.end()); }

}  // namespace ecert
