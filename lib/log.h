/*
 * log.h — one-line logs to stderr (which the web server sends to its error
 * log): "fcgi-auth[<program> <pid>] <level>: <message>". Never pass secrets,
 * passwords, tokens or cookie values. Also quiets libmongoc's own logging.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Names the program in every line and installs the libmongoc log handler.
 * FCGI_AUTH_LOG_LEVEL (error|warn|info|debug, default info) is read here. */
void log_init(const char *program);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
