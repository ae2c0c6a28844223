/* progress.c - a one-line progress display on a terminal's stderr. */
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "timeu.h"

static bool enabled;
static bool shown;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t days_done;
static double last_print;

void progress_enable(bool wanted)
{
    enabled = wanted && isatty(STDERR_FILENO);
}

/* True at most every 0.2 s (call with the lock held): progress must not slow the work. */
static bool due(void)
{
    double t = timeu_wall_seconds();
    if (t - last_print < 0.2) return false;
    last_print = t;
    return true;
}

void progress_bytes(const char *file, uint64_t bytes)
{
    if (!enabled) return;
    pthread_mutex_lock(&lock);
    if (due()) {
        fprintf(stderr, "\r\033[Kreading %s: %.1f MB", file, (double)bytes / 1e6);
        shown = true;
    }
    pthread_mutex_unlock(&lock);
}

void progress_day(uint64_t total)
{
    if (!enabled) return;
    pthread_mutex_lock(&lock);
    days_done++;
    if (due()) {
        fprintf(stderr, "\r\033[Kreplaying: %llu of %llu policy-days", (unsigned long long)days_done,
                (unsigned long long)total);
        shown = true;
    }
    pthread_mutex_unlock(&lock);
}

void progress_done(void)
{
    if (!enabled) return;
    pthread_mutex_lock(&lock);
    if (shown) fputs("\r\033[K", stderr);
    shown = false;
    days_done = 0;
    pthread_mutex_unlock(&lock);
}
