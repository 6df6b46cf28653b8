// The C API of wb_gnuplot.h, implemented with gnuplot-iostream (a header over Boost.Iostreams).
#include "wb_gnuplot.h"

#include <gnuplot-iostream.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

struct wb_script {
    std::ofstream stream;
    bool failed = false;
};

namespace {

// Quotes a string for /bin/sh: 'it'\''s'.
std::string shellQuote(const std::string &text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') quoted += "'\\''"; else quoted += c;
    }
    return quoted + "'";
}

// Quotes a string for gnuplot's single-quoted strings ('' stands for ').
std::string gnuplotQuote(const std::string &text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') quoted += "''"; else quoted += c;
    }
    return quoted + "'";
}

// Ignores SIGPIPE while alive, so a gnuplot that exits early cannot kill the lesson.
struct IgnoreBrokenPipe {
    struct sigaction previous {};
    IgnoreBrokenPipe() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        sigaction(SIGPIPE, &ignore, &previous);
    }
    ~IgnoreBrokenPipe() { sigaction(SIGPIPE, &previous, nullptr); }
};

}  // namespace

extern "C" wb_script *wb_script_open(const char *path) {
    try {
        auto *script = new wb_script();
        script->stream.open(path, std::ios::out | std::ios::trunc);
        if (!script->stream) {
            delete script;
            return nullptr;
        }
        return script;
    } catch (...) {
        return nullptr;
    }
}

extern "C" void wb_script_command(wb_script *script, const char *line) {
    try {
        script->stream << line << '\n';
        if (!script->stream) script->failed = true;
    } catch (...) {
        script->failed = true;
    }
}

extern "C" void wb_script_datablock(wb_script *script, const char *name, const double *values,
                                    size_t rows, size_t columns, size_t block_rows, int precision) {
    try {
        std::ostream &out = script->stream;
        out << '$' << name << " << EOD\n";
        std::ostringstream text;
        text << std::setprecision(precision);
        if (block_rows == 0) {
            std::vector<std::vector<double>> table(rows, std::vector<double>(columns));
            for (size_t r = 0; r < rows; ++r)
                for (size_t c = 0; c < columns; ++c) table[r][c] = values[r * columns + c];
            gnuplotio::top_level_array_sender(text, table, gnuplotio::Mode1D(), gnuplotio::ModeText());
        } else {
            // Mode2D puts a blank line between the outer blocks: gnuplot's grid ("scan") format.
            size_t blocks = rows / block_rows;
            std::vector<std::vector<std::vector<double>>> grid(
                blocks, std::vector<std::vector<double>>(block_rows, std::vector<double>(columns)));
            for (size_t b = 0; b < blocks; ++b)
                for (size_t r = 0; r < block_rows; ++r)
                    for (size_t c = 0; c < columns; ++c)
                        grid[b][r][c] = values[(b * block_rows + r) * columns + c];
            gnuplotio::top_level_array_sender(text, grid, gnuplotio::Mode2D(), gnuplotio::ModeText());
        }
        out << text.str() << "EOD\n";
        if (!out) script->failed = true;
    } catch (...) {
        script->failed = true;
    }
}

extern "C" int wb_script_close(wb_script *script) {
    bool failed = script->failed;
    try {
        script->stream.flush();
        if (!script->stream) failed = true;
        script->stream.close();
        if (script->stream.fail()) failed = true;
    } catch (...) {
        failed = true;
    }
    delete script;
    return failed ? -1 : 0;
}

extern "C" int wb_program_available(const char *program) {
    std::string name(program);
    if (name.empty()) return 0;
    if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? 1 : 0;
    const char *path = std::getenv("PATH");
    if (!path) return 0;
    std::stringstream directories(path);
    std::string directory;
    while (std::getline(directories, directory, ':')) {
        if (directory.empty()) directory = ".";
        if (access((directory + "/" + name).c_str(), X_OK) == 0) return 1;
    }
    return 0;
}

extern "C" int wb_gnuplot_render(const char *program, const char *script_path, char *message,
                                  size_t message_size) {
    if (message_size > 0) message[0] = '\0';
    char errorPath[] = "/tmp/wb-gnuplot-stderr-XXXXXX";
    int descriptor = mkstemp(errorPath);
    if (descriptor < 0) return -1;
    close(descriptor);
    int status = 0;
    {
        IgnoreBrokenPipe guard;
        try {
            // `|| true` keeps gnuplot's own exit status from reaching pclose (gnuplot-iostream would
            // print "pclose returned error"); its errors are read back from the captured stderr.
            Gnuplot gp(shellQuote(program) + " 2>" + shellQuote(errorPath) + " || true");
            gp << "load " << gnuplotQuote(script_path) << std::endl;
            if (!gp) status = -1;
        } catch (...) {
            status = -1;
        }
    }
    std::ifstream errors(errorPath);
    std::string text((std::istreambuf_iterator<char>(errors)), std::istreambuf_iterator<char>());
    std::remove(errorPath);
    if (message_size > 0) {
        size_t length = std::min(text.size(), message_size - 1);
        std::memcpy(message, text.data(), length);
        message[length] = '\0';
    }
    return status;
}
