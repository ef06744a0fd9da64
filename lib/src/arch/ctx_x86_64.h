/* x86-64 System V: rbx, rbp, r12-r15 are callee-saved, plus MXCSR's control
 * bits and the x87 control word.  The first frame puts fn in r12 and arg in
 * r13; the trampoline's CFI marks rip undefined so debuggers and sanitizer
 * unwinders stop there instead of walking into garbage.  Included once, by
 * sched_mn.c. */
__asm__(".text\n"
        ".globl ctx_swap\n"
        ".hidden ctx_swap\n"
        ".type ctx_swap,@function\n"
        "ctx_swap:\n"
        "  pushq %rbp\n"
        "  pushq %rbx\n"
        "  pushq %r12\n"
        "  pushq %r13\n"
        "  pushq %r14\n"
        "  pushq %r15\n"
        "  subq $8, %rsp\n"
        "  stmxcsr (%rsp)\n"
        "  fnstcw 4(%rsp)\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rsp\n"
        "  ldmxcsr (%rsp)\n"
        "  fldcw 4(%rsp)\n"
        "  addq $8, %rsp\n"
        "  popq %r15\n"
        "  popq %r14\n"
        "  popq %r13\n"
        "  popq %r12\n"
        "  popq %rbx\n"
        "  popq %rbp\n"
        "  ret\n"
        ".size ctx_swap,.-ctx_swap\n"
        ".globl ctx_trampoline\n"
        ".hidden ctx_trampoline\n"
        ".type ctx_trampoline,@function\n"
        "ctx_trampoline:\n"
        "  .cfi_startproc\n"
        "  .cfi_undefined rip\n"
        "  movq %r13, %rdi\n"
        "  callq *%r12\n"
        "  ud2\n"
        "  .cfi_endproc\n"
        ".size ctx_trampoline,.-ctx_trampoline\n");

/* `top` is the highest usable address (exclusive). */
static inline void *ctx_make(void *top, void (*fn)(void *), void *arg)
{
    uint64_t *sp = (uint64_t *)((uintptr_t)top & ~(uintptr_t)15);
    /* popped by ret, which leaves rsp 16-aligned: the trampoline's call
     * then enters fn with rsp % 16 == 8, as the ABI wants */
    *--sp = (uint64_t)(uintptr_t)ctx_trampoline;
    *--sp = 0;                                 /* rbp */
    *--sp = 0;                                 /* rbx */
    *--sp = (uint64_t)(uintptr_t)fn;           /* r12 */
    *--sp = (uint64_t)(uintptr_t)arg;          /* r13 */
    *--sp = 0;                                 /* r14 */
    *--sp = 0;                                 /* r15 */
    --sp;
    uint32_t mxcsr = 0x1F80; /* the defaults a new thread starts with */
    uint16_t fpucw = 0x037F;
    __builtin_memcpy(sp, &mxcsr, sizeof mxcsr);
    __builtin_memcpy((char *)sp + 4, &fpucw, sizeof fpucw);
    return sp;
}
