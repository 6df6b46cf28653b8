/* One core's FP32 FMA peak, AVX2 (8 lanes) and AVX-512 (16 lanes): 12 independent accumulator chains
   so the FMA latency is hidden. Build and run: gcc -O2 -mavx512f -mfma scripts/fma-peak.c -o /tmp/fma-peak && /tmp/fma-peak */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define R8(OP) OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7) OP(8) OP(9) OP(10) OP(11)
int main(){
  long n=200000000;
  __m256 b=_mm256_set1_ps(0.999999f), c=_mm256_set1_ps(1e-7f);
  #define D2(i) __m256 a##i=_mm256_set1_ps(i*0.001f);
  R8(D2)
  double t0=now();
  for(long k=0;k<n;k++){
  #define F2(i) a##i=_mm256_fmadd_ps(a##i,b,c);
  R8(F2)
  __asm__ volatile("" ::: "memory");
  }
  double t1=now();
  #define S2(i) +a##i[0]
  float s = 0 R8(S2);
  printf("avx2 %.1f GFLOP/s (%g)\n", n*12.0*8*2/(t1-t0)/1e9, s);
  __m512 bz=_mm512_set1_ps(0.999999f), cz=_mm512_set1_ps(1e-7f);
  #define D5(i) __m512 z##i=_mm512_set1_ps(i*0.001f);
  R8(D5)
  t0=now();
  for(long k=0;k<n;k++){
  #define F5(i) z##i=_mm512_fmadd_ps(z##i,bz,cz);
  R8(F5)
  __asm__ volatile("" ::: "memory");
  }
  t1=now();
  #define S5(i) +z##i[0]
  s = 0 R8(S5);
  printf("avx512 %.1f GFLOP/s (%g)\n", n*12.0*16*2/(t1-t0)/1e9, s);
}
