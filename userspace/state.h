/* What iommubench changes on the machine, written down before it changes
 * it, so that a run killed with SIGKILL (or crashed) can be undone by the
 * next run or by `iommubench restore`.
 *
 * Each process that changes something keeps one state file,
 * /run/iommubench/PID.state (key=value lines, written to a temporary file
 * and renamed), naming the device it moved and how to put it back (its
 * driver, driver_override, its IOMMU group's default domain type) and the
 * filesystems it mounted (tracefs, debugfs). The file goes away after a
 * clean give-back. A device is also locked (flock on
 * /run/iommubench/BDF.lock) for as long as a run holds it. */
#ifndef IB_STATE_H
#define IB_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define IB_STATE_DIR "/run/iommubench"
#define IB_STATE_VERSION 1
#define IB_STATE_MAX_MOUNTS 4

struct ib_state_dev {
	bool active;              /* a device is (being) moved */
	char bdf[32];
	char driver[64];          /* the driver the run binds it to */
	char orig_driver[64];     /* its driver before, "" none */
	char orig_override[64];   /* its driver_override before, "" none */
	int group_id;             /* -1 unknown */
	char orig_type[32];       /* the group's type before; "" when the run does not change it */
};

struct ib_state_mount {
	char path[64];
	char fstype[16];
};

struct ib_state {
	pid_t pid;
	unsigned long long pid_start;   /* /proc/PID/stat starttime: a reused pid is not the owner */
	char verb[16];
	struct ib_state_dev dev;
	struct ib_state_mount mounts[IB_STATE_MAX_MOUNTS];
	int nmounts;
};

/* Tests only: a fake root prefixed to every /sys and /proc/self/mountinfo
 * path, another state directory, and a stand-in for the kernel's side of
 * sysfs writes (NULL: real writes). */
void ib_sys_set_root(const char *root);
void ib_state_set_dir(const char *dir);
void ib_sysfs_set_writer(int (*fn)(const char *path, const char *s));

/* root + the formatted path */
void ib_sys_path(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *ib_state_dir(void);

/* Text form and back. Parsing refuses anything restore must not act on
 * (an unknown key, a malformed address, a mount other than tracefs or
 * debugfs on their usual places). */
int ib_state_format(const struct ib_state *s, char *buf, size_t len);
int ib_state_parse(const char *text, struct ib_state *s, char *err, size_t errlen);
int ib_state_read(const char *path, struct ib_state *s, char *err, size_t errlen);
/* Atomic: PATH.tmp, fsync, rename. */
int ib_state_write(const struct ib_state *s, const char *path, char *err, size_t errlen);

/* The verb this process runs, recorded in its state file. */
void ib_state_set_verb(const char *verb);

/* This process's own state file: each call rewrites it before the change
 * it announces is made. */
int ib_state_note_device(const struct ib_state_dev *d, char *err, size_t errlen);
void ib_state_device_done(void);
int ib_state_note_mount(const char *path, const char *fstype, char *err, size_t errlen);
void ib_state_forget_mount(const char *path);
/* Unmount what this process mounted and remove its state file (kept when
 * a device could not be given back). Called once when a verb returns. */
void ib_state_cleanup(void);

/* The owner is this pid with the recorded start time. */
bool ib_state_owner_alive(const struct ib_state *s);

/* Put one device back as d says: unbind from the run's driver, restore the
 * group type, driver_override, and let the old driver probe it.
 * Idempotent: each step looks at what is there first. Each action is
 * printed to log (NULL: quiet); dry_run prints without writing. */
int ib_state_restore_dev(const struct ib_state_dev *d, bool dry_run, FILE *log, char *err, size_t errlen);
/* The whole state: device and mounts. */
int ib_state_restore(const struct ib_state *s, bool dry_run, FILE *log, char *err, size_t errlen);

/* Every state file whose owner is dead: restore it and remove it. Returns
 * the number restored (0: nothing stale), or -errno with err filled. */
int ib_state_recover(bool dry_run, FILE *log, char *err, size_t errlen);

/* Create the state directory (and /run when missing). */
int ib_state_mkdir(char *err, size_t errlen);

/* flock the device's lock file; *fd is kept open while the run holds it.
 * -EBUSY with the holder's pid in err. */
int ib_state_lock_device(const char *bdf, int *fd, char *err, size_t errlen);
void ib_state_unlock_device(int *fd);

#endif
