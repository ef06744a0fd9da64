/* chanlings — look at a learner's compiled object before it is linked
 * into a grader, and refuse what would let it run code outside its tests
 * or lie to the harness (docs/ARCHITECTURE.md, "the threat model"):
 *
 *   - constructors and destructors (.init_array, .fini_array, .ctors,
 *     .dtors, .preinit_array, IFUNC resolvers): they run in the grader's
 *     own process, before or after the tests, where results are written;
 *   - definitions of names that libc, Check, libgoc or the grader define
 *     (fprintf, waitpid, srunner_run_all...): the harness would call the
 *     learner's version; names starting with `_` are reserved to C anyway;
 *   - any use of __real_* / __wrap_* (the grader's own exit wraps), and
 *     of anything the grader or Check define (the grader calls the
 *     learner, never the other way round);
 *   - a short list of imports graded code has no reason to use (execve,
 *     syscall, ptrace, fork, kill, dlsym...).
 *
 * It reads ELF64 objects and ar archives itself (no tool to start, so a
 * check costs well under a millisecond) and asks the dynamic loader which
 * names libc and libm define. */
#ifndef CL_OBJCHECK_H
#define CL_OBJCHECK_H

typedef struct cl_objcheck_opts {
    const char *object;          /* the learner's compiled object */
    const char *source;          /* its source, to name lines */
    const char *source_rel;      /* the source as the learner knows it */
    const char *const *harness;  /* objects/archives (NULL-terminated) the
                                    learner may neither redefine nor call:
                                    the grader, grader_main, Check */
    const char *const *libraries;/* objects/archives it may call but not
                                    redefine: libgoc */
    int sanitizer;               /* nonzero: a sanitizer build, whose own
                                    constructor (gcc's _sub_I_00099_0,
                                    clang's tsan.module_ctor) is allowed */
} cl_objcheck_opts;

/* NULL when the object may be linked.  Otherwise one line per refusal,
 * "FILE:LINE: refused: what and why" (newly allocated).  An object that
 * cannot be read as ELF is refused too. */
char *cl_objcheck(const cl_objcheck_opts *o);

#endif
