// swift-tools-version: 6.0
// DDPM Workbench: Denoising Diffusion Probabilistic Models (Ho, Jain & Abbeel 2020), lesson by lesson.
import Foundation
import PackageDescription

/// A numbered lesson: an executable `lesson-NN` whose sources live in `Lessons/NN-name/`.
func lesson(_ number: String, _ folder: String) -> Target {
    .executableTarget(
        name: "lesson-\(number)",
        dependencies: [
            "LessonKit", "Diffusion", "TensorCore", "Plotting", "ExerciseKit", "Course", "Learning", "Datasets",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
        path: "Lessons/\(folder)",
        swiftSettings: lessonSettings)
}

/// Every lesson folder, `Lessons/NN-name/` (two digits, a dash, a name), in order: the folder is the list.
let lessons: [(String, String)] = ((try? FileManager.default.contentsOfDirectory(atPath: Context.packageDirectory + "/Lessons")) ?? [])
    .filter { $0.count > 3 && $0.prefix(2).allSatisfy(\.isNumber) && $0.dropFirst(2).first == "-" }
    .sorted()
    .map { (String($0.prefix(2)), $0) }

/// Generic tensor code is specialised across module boundaries in release builds, and on x86-64 the
/// SIMD kernels are compiled for AVX2 + FMA (Haswell and later; every x86-64 CPU since ~2015):
/// without it `SIMD8<Float>` is emulated with SSE and runs two orders of magnitude slower. When the
/// machine that builds (and runs) the workbench has AVX-512, the kernels also get a 16-lane matrix
/// kernel (`WORKBENCH_AVX512`) whose results are bit-identical to the 8-lane one's; set
/// `WORKBENCH_ISA=avx2` (with `--manifest-cache none`) to build the AVX2 code on such a machine.
#if arch(x86_64)
    let hasAVX512: Bool = {
        if ProcessInfo.processInfo.environment["WORKBENCH_ISA"] == "avx2" { return false }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        let flags = Set(info.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
        return ["avx512f", "avx512vl", "avx512bw", "avx512dq"].allSatisfy(flags.contains)
    }()
    let vectorISA = hasAVX512 ? ["-target-cpu", "skylake-avx512", "-D", "WORKBENCH_AVX512"] : ["-target-cpu", "haswell"]
#else
    let vectorISA: [String] = []
#endif
/// Debug builds (the test suite) optimise these targets too: the lessons and kernels would
/// otherwise run a hundred times slower under test. Whole-module (`-wmo`, with one object file per
/// source as SwiftPM expects) so that a kernel's small helpers inline across files, and cross-module so
/// that generic tensor code is specialised where it is used: the quick runs of lessons 08, 09, 11 and 12
/// then take 63 s instead of 150 s, for the same build time (measured on 2026-12-04).
let optimised: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
    .unsafeFlags(["-O", "-wmo", "-num-threads", "2", "-cross-module-optimization"], .when(configuration: .debug)),
    .unsafeFlags(vectorISA),
]

/// The lessons are optimised in release builds only: their time goes to the libraries' kernels, which the test suite's
/// debug build optimises (`optimised`), so an unoptimised lesson runs its quick mode about as fast and builds in a
/// fraction of the CPU time.
let lessonSettings: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
    .unsafeFlags(vectorISA),
]

let package = Package(
    name: "DDPMWorkbench",
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "Diffusion", targets: ["Diffusion"]),
        .library(name: "Plotting", targets: ["Plotting"]),
        .library(name: "Networks", targets: ["Networks"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "Sampling", targets: ["Sampling"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Learning", targets: ["Learning"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .executable(name: "workbench", targets: ["workbench"]),
        .executable(name: "bench-toy2d", targets: ["bench-toy2d"]),
        .executable(name: "bench-digits", targets: ["bench-digits"]),
    ] + lessons.map { .executable(name: "lesson-\($0.0)", targets: ["lesson-\($0.0)"]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .target(
            name: "TensorCore",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimised),
        .target(
            name: "Diffusion",
            dependencies: ["TensorCore", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimised),
        .target(
            name: "Networks",
            dependencies: ["TensorCore", "Diffusion", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimised),
        .target(
            name: "Training",
            dependencies: ["Networks", "TensorCore", "Diffusion", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimised),
        .target(
            name: "Sampling",
            dependencies: ["Networks", "TensorCore", "Diffusion", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimised),
        .target(
            name: "Evaluation",
            dependencies: ["Networks", "Training", "TensorCore", "Diffusion", "Datasets", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimised),
        .target(
            name: "Learning",
            dependencies: ["Networks", "Training", "Sampling", "Evaluation"],
            swiftSettings: optimised),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "Datasets",
            dependencies: ["CZlib", "TensorCore", "Diffusion", .product(name: "RealModule", package: "swift-numerics")],
            resources: [.copy("Resources/digits.csv.gz"), .copy("Resources/CREDIT.md")]),
        .target(
            name: "CGnuplot",
            linkerSettings: [
                .linkedLibrary("boost_iostreams"),
                .linkedLibrary("boost_system"),
                .linkedLibrary("boost_filesystem"),
            ]),
        .target(name: "Plotting", dependencies: ["CGnuplot"]),
        .target(
            name: "LessonKit",
            dependencies: [
                "Plotting", "Diffusion", "ExerciseKit", "Learning", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "ExerciseKit", dependencies: ["Diffusion", "TensorCore"]),
        .target(name: "ExerciseSolutions", dependencies: ["ExerciseKit", "Diffusion", "TensorCore"]),
        .target(
            name: "Exercises",
            dependencies: ["ExerciseKit", "Diffusion", "TensorCore"],
            path: "Lessons/Exercises"),
        .target(name: "Course", dependencies: ["ExerciseKit", "ExerciseSolutions", "Exercises"]),
        .executableTarget(
            name: "bench-toy2d",
            dependencies: [
                "Learning", "Diffusion", "TensorCore", "LessonKit", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimised),
        .executableTarget(
            name: "bench-digits",
            dependencies: [
                "Learning", "Diffusion", "TensorCore", "LessonKit", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimised),
        .executableTarget(
            name: "workbench",
            dependencies: [
                "Diffusion", "ExerciseKit", "Course", "LessonKit", "Learning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "WorkbenchTests",
            dependencies: [
                "TensorCore", "Diffusion", "Plotting", "LessonKit", "ExerciseKit", "ExerciseSolutions", "Exercises", "Course", "Learning", "Networks", "Training", "Sampling", "Evaluation", "Datasets",
                "workbench", "bench-toy2d", "bench-digits",
            ] + lessons.map { .target(name: "lesson-\($0.0)") },
            exclude: ["Resources"]),
    ] + lessons.map { lesson($0.0, $0.1) },
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
