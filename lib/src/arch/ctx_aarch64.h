/* AArch64 (AAPCS64): x19-x28, the frame pointer x29, the link register
 * x30 and d8-d15 are callee-saved, plus FPCR (rounding mode and traps,
 * which C programs set with fesetround).  The first frame puts fn in x19,
 * arg in x20 and the trampoline in x30; the trampoline's CFI marks the
 * return address undefined so unwinders stop there.  Included once, by
 * sched_mn.c.  Checked under qemu-aarch64: ping-pong, spawn, and FPCR
 * kept per goroutine. */
__asm__(".text\n"
        ".globl ctx_swap\n"
        ".hidden ctx_swap\n"
        ".type ctx_swap,%function\n"
        "ctx_swap:\n"
        "  sub sp, sp, #176\n"
        "  stp x19, x20, [sp, #0]\n"
        "  stp x21, x22, [sp, #16]\n"
        "  stp x23, x24, [sp, #32]\n"
        "  stp x25, x26, [sp, #48]\n"
        "  stp x27, x28, [sp, #64]\n"
        "  stp x29, x30, [sp, #80]\n"
        "  stp d8, d9, [sp, #96]\n"
        "  stp d10, d11, [sp, #112]\n"
        "  stp d12, d13, [sp, #128]\n"
        "  stp d14, d15, [sp, #144]\n"
        "  mrs x9, fpcr\n"
        "  str x9, [sp, #160]\n"
        "  mov x9, sp\n"
        "  str x9, [x0]\n"
        "  mov sp, x1\n"
        "  ldr x9, [sp, #160]\n"
        "  msr fpcr, x9\n"
        "  ldp d14, d15, [sp, #144]\n"
        "  ldp d12, d13, [sp, #128]\n"
        "  ldp d10, d11, [sp, #112]\n"
        "  ldp d8, d9, [sp, #96]\n"
        "  ldp x29, x30, [sp, #80]\n"
        "  ldp x27, x28, [sp, #64]\n"
        "  ldp x25, x26, [sp, #48]\n"
        "  ldp x23, x24, [sp, #32]\n"
        "  ldp x21, x22, [sp, #16]\n"
        "  ldp x19, x20, [sp, #0]\n"
        "  add sp, sp, #176\n"
        "  ret\n"
        ".size ctx_swap,.-ctx_swap\n"
        ".globl ctx_trampoline\n"
        ".hidden ctx_trampoline\n"
        ".type ctx_trampoline,%function\n"
        "ctx_trampoline:\n"
        "  .cfi_startproc\n"
        "  .cfi_undefined x30\n"
        "  mov x0, x20\n"
        "  blr x19\n"
        "  brk #0\n"
        "  .cfi_endproc\n"
        ".size ctx_trampoline,.-ctx_trampoline\n");

/* `top` is the highest usable address (exclusive). */
static inline void *ctx_make(void *top, void (*fn)(void *), void *arg)
{
    uint64_t *sp = (uint64_t *)(((uintptr_t)top & ~(uintptr_t)15) - 176);
    for (int i = 0; i < 22; i++)
        sp[i] = 0; /* callee-saved registers, FPCR 0: round to nearest, no traps */
    sp[0] = (uint64_t)(uintptr_t)fn;              /* x19 */
    sp[1] = (uint64_t)(uintptr_t)arg;             /* x20 */
    sp[11] = (uint64_t)(uintptr_t)ctx_trampoline; /* x30: where ret goes */
    return sp;
}
