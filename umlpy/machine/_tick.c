/* _tick: exact timer preemption for the unicorn vCPU (docs/machine.md §3,
 * shared/spec/unicorn-notes.md §5.1).
 *
 * A UC_HOOK_BLOCK callback in C stops emulation at a block boundary when a
 * flag is set (never uc_emu_stop from another thread: that re-executes
 * read-modify-write instructions).  A pthread keeps exact periodic deadlines
 * (absolute CLOCK_MONOTONIC grid), counts ticks, raises the flag and writes a
 * byte to a wake-up fd so the idle loop's select() returns.
 * uc_emu_stop/uc_reg_read come in as function pointers from the already loaded
 * libunicorn, so this module links against nothing.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define UC_X86_REG_EFLAGS 25
#define RFLAGS_IF 0x200

typedef int (*emu_stop_fn)(void *uc);
typedef int (*reg_read_fn)(void *uc, int regid, void *value);

typedef struct {
    volatile int irq;        /* stop at the next block where RFLAGS.IF = 1 */
    volatile int force;      /* stop at the next block */
    volatile uint64_t ticks; /* timer expiries so far */
    emu_stop_fn emu_stop;
    reg_read_fn reg_read;
    int wake_fd;
    int64_t period_ns, next_ns;
    int running, have_thread;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
} tick_state;

typedef struct { PyObject_HEAD tick_state *st; } Ticker;

static void block_cb(void *uc, uint64_t addr, uint32_t size, void *user)
{
    tick_state *st = (tick_state *)user;
    (void)addr; (void)size;
    if (st->force) {
        st->force = 0;
        st->emu_stop(uc);
    } else if (st->irq) {
        uint64_t fl = 0;
        st->reg_read(uc, UC_X86_REG_EFLAGS, &fl);
        if (fl & RFLAGS_IF) {
            st->irq = 0;
            st->emu_stop(uc);
        }
    }
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *timer_main(void *arg)
{
    tick_state *st = (tick_state *)arg;
    pthread_mutex_lock(&st->lock);
    while (st->running) {
        if (st->period_ns <= 0) {
            pthread_cond_wait(&st->cond, &st->lock);
            continue;
        }
        struct timespec ts = { st->next_ns / 1000000000LL, st->next_ns % 1000000000LL };
        int rc = pthread_cond_timedwait(&st->cond, &st->lock, &ts);
        if (rc != ETIMEDOUT || st->period_ns <= 0 || !st->running)
            continue;
        int64_t now = now_ns();
        if (now < st->next_ns)
            continue;
        while (st->next_ns <= now)
            st->next_ns += st->period_ns;
        st->ticks++;
        st->irq = 1;
        if (st->wake_fd >= 0) {
            char b = 't';
            ssize_t w = write(st->wake_fd, &b, 1);
            (void)w;
        }
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

static int Ticker_init(Ticker *self, PyObject *args, PyObject *kw)
{
    unsigned long long stop_p, read_p;
    int fd;
    static char *kwlist[] = {"emu_stop", "reg_read", "wake_fd", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "KKi", kwlist, &stop_p, &read_p, &fd))
        return -1;
    if (self->st)
        return 0;
    tick_state *st = calloc(1, sizeof *st);
    if (!st) { PyErr_NoMemory(); return -1; }
    st->emu_stop = (emu_stop_fn)(uintptr_t)stop_p;
    st->reg_read = (reg_read_fn)(uintptr_t)read_p;
    st->wake_fd = fd;
    pthread_mutex_init(&st->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->cond, &ca);
    pthread_condattr_destroy(&ca);
    st->running = 1;
    if (pthread_create(&st->thread, NULL, timer_main, st) != 0) {
        free(st);
        PyErr_SetString(PyExc_OSError, "cannot start the timer thread");
        return -1;
    }
    st->have_thread = 1;
    self->st = st;
    return 0;
}

static void ticker_shutdown(tick_state *st)
{
    if (!st->have_thread)
        return;
    pthread_mutex_lock(&st->lock);
    st->running = 0;
    pthread_cond_signal(&st->cond);
    pthread_mutex_unlock(&st->lock);
    Py_BEGIN_ALLOW_THREADS
    pthread_join(st->thread, NULL);
    Py_END_ALLOW_THREADS
    st->have_thread = 0;
}

static void Ticker_dealloc(Ticker *self)
{
    if (self->st) {
        ticker_shutdown(self->st);
        /* the block hook may still reference st if the Uc outlives us: leak it */
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Ticker_set_period(Ticker *self, PyObject *arg)
{
    long long p = PyLong_AsLongLong(arg);
    if (p == -1 && PyErr_Occurred()) return NULL;
    tick_state *st = self->st;
    pthread_mutex_lock(&st->lock);
    st->period_ns = p > 0 ? p : 0;
    st->next_ns = now_ns() + st->period_ns;
    pthread_cond_signal(&st->cond);
    pthread_mutex_unlock(&st->lock);
    Py_RETURN_NONE;
}

static PyObject *Ticker_take(Ticker *self, PyObject *unused)
{
    /* clear both stop flags, then report the tick count */
    self->st->irq = 0;
    self->st->force = 0;
    __sync_synchronize();
    return PyLong_FromUnsignedLongLong(self->st->ticks);
}

static PyObject *Ticker_request(Ticker *self, PyObject *arg)
{
    int force = PyObject_IsTrue(arg);
    if (force < 0) return NULL;
    if (force) self->st->force = 1; else self->st->irq = 1;
    Py_RETURN_NONE;
}

static PyObject *Ticker_next_deadline(Ticker *self, PyObject *unused)
{
    tick_state *st = self->st;
    pthread_mutex_lock(&st->lock);
    long long n = st->period_ns > 0 ? st->next_ns : -1;
    pthread_mutex_unlock(&st->lock);
    return PyLong_FromLongLong(n);
}

static PyObject *Ticker_close(Ticker *self, PyObject *unused)
{
    ticker_shutdown(self->st);
    Py_RETURN_NONE;
}

static PyObject *Ticker_get_cb(Ticker *self, void *c)
{
    return PyLong_FromUnsignedLongLong((uintptr_t)&block_cb);
}

static PyObject *Ticker_get_state(Ticker *self, void *c)
{
    return PyLong_FromUnsignedLongLong((uintptr_t)self->st);
}

static PyMethodDef Ticker_methods[] = {
    {"set_period", (PyCFunction)Ticker_set_period, METH_O, "set_period(ns): 0 stops; restarts the grid now"},
    {"take", (PyCFunction)Ticker_take, METH_NOARGS, "clear stop flags; return the tick count"},
    {"request", (PyCFunction)Ticker_request, METH_O, "request(force): stop at the next block (force) or next IF=1 block"},
    {"next_deadline", (PyCFunction)Ticker_next_deadline, METH_NOARGS, "next CLOCK_MONOTONIC deadline in ns, -1 if stopped"},
    {"close", (PyCFunction)Ticker_close, METH_NOARGS, "stop the timer thread"},
    {NULL}
};

static PyGetSetDef Ticker_getset[] = {
    {"callback", (getter)Ticker_get_cb, NULL, "address of the UC_HOOK_BLOCK callback", NULL},
    {"state", (getter)Ticker_get_state, NULL, "user_data pointer for the hook", NULL},
    {NULL}
};

static PyTypeObject TickerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "umlpy.machine._tick.Ticker",
    .tp_basicsize = sizeof(Ticker),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Ticker_init,
    .tp_dealloc = (destructor)Ticker_dealloc,
    .tp_methods = Ticker_methods,
    .tp_getset = Ticker_getset,
    .tp_doc = "Ticker(emu_stop, reg_read, wake_fd): exact periodic timer + block-hook stop flag",
};

static struct PyModuleDef tickmod = {
    PyModuleDef_HEAD_INIT, "_tick", "Exact timer preemption for the unicorn vCPU.", -1, NULL
};

PyMODINIT_FUNC PyInit__tick(void)
{
    if (PyType_Ready(&TickerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&tickmod);
    if (!m) return NULL;
    Py_INCREF(&TickerType);
    PyModule_AddObject(m, "Ticker", (PyObject *)&TickerType);
    return m;
}
