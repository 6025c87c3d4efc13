/*
 * health.h — the operator's URLs, outside Better Auth's base path:
 * GET /fcgi-auth/health for load balancers and monitors (200 only when the
 * store answers a ping, 503 otherwise, within the client's connect and
 * server-selection timeouts: 2 s by default) and GET /fcgi-auth/metrics, the
 * machine-wide counters in Prometheus' text format (lib/metrics.h). The
 * shipped configs allow /fcgi-auth/metrics from loopback only.
 */
#ifndef HEALTH_H
#define HEALTH_H

#include "app.h"

enum response_error health_get(struct call *c);
enum response_error health_metrics(struct call *c);

#endif
