// A small C-callable API over gnuplot-iostream, so that Swift can write gnuplot scripts with their
// data and have gnuplot render them. Every function catches C++ exceptions; none throws.
#ifndef WB_GNUPLOT_H
#define WB_GNUPLOT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An open gnuplot script being written to a file.
typedef struct wb_script wb_script;

/// Opens (truncates) `path` for writing a gnuplot script. Returns NULL if it cannot be opened.
wb_script *wb_script_open(const char *path);

/// Appends one line of gnuplot commands (a newline is added).
void wb_script_command(wb_script *script, const char *line);

/// Appends an inline data block `$name << EOD … EOD` holding `rows` × `columns` values (row-major),
/// formatted by gnuplot-iostream with `precision` significant digits. If `block_rows` > 0 the rows
/// are grouped in blocks of that many, separated by blank lines (grid data for heat maps).
void wb_script_datablock(wb_script *script, const char *name, const double *values,
                         size_t rows, size_t columns, size_t block_rows, int precision);

/// Flushes and closes the script. Returns 0 if every write succeeded, -1 otherwise.
int wb_script_close(wb_script *script);

/// Returns 1 if `program` (a name looked up on PATH, or a path) is an executable file, else 0.
int wb_program_available(const char *program);

/// Runs `program` (gnuplot) through a gnuplot-iostream pipe and has it `load` the script at
/// `script_path`. Whatever gnuplot wrote to standard error is copied into `message` (truncated to
/// `message_size` − 1 bytes, NUL-terminated). A broken pipe is ignored, not fatal.
/// Returns 0 if the pipe was written and closed, -1 if it could not be.
int wb_gnuplot_render(const char *program, const char *script_path, char *message, size_t message_size);

#ifdef __cplusplus
}
#endif

#endif
