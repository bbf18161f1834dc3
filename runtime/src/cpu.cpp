//===- cpu.cpp - CPU feature detection for required_isa checks ------------===//
//
// A feature counts only if the CPU has it (cpuid) and the OS saves the
// register state it needs (XCR0 via xgetbv): AVX needs XMM+YMM state, AVX-512
// additionally opmask and ZMM state. Otherwise the first AVX instruction
// would fault even on a capable CPU.
//
//===----------------------------------------------------------------------===//

#include "slim/slim_runtime.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace {

uint32_t detectIsa() {
  uint32_t isa = 0;
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
    return 0;
  if (ecx & bit_SSE4_2)
    isa |= SLIM_ISA_SSE4_2;
  bool osxsave = ecx & bit_OSXSAVE;
  uint64_t xcr0 = 0;
  if (osxsave) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t(hi) << 32) | lo;
  }
  bool ymmState = (xcr0 & 0x6) == 0x6;
  bool zmmState = ymmState && (xcr0 & 0xe0) == 0xe0;
  bool avx = (ecx & bit_AVX) && ymmState;
  if (avx) {
    isa |= SLIM_ISA_AVX;
    if (ecx & bit_FMA)
      isa |= SLIM_ISA_FMA;
    if (ecx & bit_F16C)
      isa |= SLIM_ISA_F16C;
  }
  unsigned maxLeaf = __get_cpuid_max(0, nullptr);
  if (maxLeaf >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    if (avx && (ebx & bit_AVX2))
      isa |= SLIM_ISA_AVX2;
    if (zmmState && (ebx & bit_AVX512F)) {
      isa |= SLIM_ISA_AVX512F;
      if (ebx & bit_AVX512BW)
        isa |= SLIM_ISA_AVX512BW;
      if (ebx & bit_AVX512DQ)
        isa |= SLIM_ISA_AVX512DQ;
      if (ebx & bit_AVX512VL)
        isa |= SLIM_ISA_AVX512VL;
      if (ecx & bit_AVX512VNNI)
        isa |= SLIM_ISA_AVX512VNNI;
    }
  }
#endif
  return isa;
}

} // namespace

extern "C" uint32_t slim_cpu_isa(void) {
  static const uint32_t isa = detectIsa();
  return isa;
}
