/*
 * siteenv: the system config's part in one run (config/sitecfg.h): site
 * shared envs by name, its policy, and site envs kept read-only.
 */
#ifndef PYSHIM_SITEENV_H
#define PYSHIM_SITEENV_H

struct rctx;
struct sitecfg;

/* The shared entry as the user means it: a name the user has no shared
 * env of (DATA/shared/NAME) but the system config site defines is that
 * site env's path; the user's own comes first unless the policy allows
 * only site envs. Else entry itself. */
const char *siteenv_map(const struct sitecfg *site, const char *data_dir,
                        const char *entry);

/* The shared entry as env_shared_site takes it (*out: entry itself or a
 * site env's path). -1 with c->e when the policy forbids entry. */
int siteenv_entry(struct rctx *c, const char *entry, const char **out);
/* -1 with c->e when the chosen interpreter's version is not one the
 * system config's "pythons" allows. */
int siteenv_python_check(struct rctx *c);
/* -1 with c->e when this pip run would change a site env: the run's
 * environment is one of the system config's site envs. */
int siteenv_pip_check(struct rctx *c);

#endif
