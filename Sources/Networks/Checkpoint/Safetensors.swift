import Foundation

/// The safetensors container (Hugging Face's format, which PyTorch, diffusers and most model hubs read):
///
///     UInt64    N, the byte length of the header, little-endian
///     N bytes   a JSON object: per tensor  "name": {"dtype": "F32", "shape": [32, 1, 3, 3],
///               "data_offsets": [begin, end]}  (byte offsets into the data), and optionally
///               "__metadata__": {string: string}; padded with spaces
///     the data  every tensor's values, little-endian, row-major, at its offsets
///
/// This type reads and writes the container and knows nothing of networks (`Checkpoint` does). It writes
/// float32 only, tensors in the order given, with no gaps; it reads F32, F64, F16 and BF16 (a model trained on
/// a GPU is often saved in half precision) and returns Float.
public struct Safetensors: Sendable, Equatable {
    /// One tensor: its name, shape and values.
    public struct Tensor: Sendable, Equatable {
        /// The tensor's name (PyTorch's dotted parameter path, `down0.conv1.weight`).
        public let name: String
        /// Its dimensions, outermost first.
        public let shape: [Int]
        /// Its values, row-major.
        public let values: [Float]

        /// A tensor of `values` (as many as the shape's product).
        public init(name: String, shape: [Int], values: [Float]) {
            precondition(values.count == shape.reduce(1, *), "Safetensors.Tensor \(name): \(values.count) values for shape \(shape)")
            (self.name, self.shape, self.values) = (name, shape, values)
        }
    }

    /// The tensors, in the order of their data.
    public let tensors: [Tensor]
    /// The header's `__metadata__` (string to string).
    public let metadata: [String: String]

    /// A container of `tensors` and `metadata`.
    public init(tensors: [Tensor], metadata: [String: String] = [:]) { (self.tensors, self.metadata) = (tensors, metadata) }

    /// The tensor named `name`, or nil.
    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// Why bytes are not a readable container.
    public enum Malformed: Error, Equatable {
        /// Not a safetensors file: no 8-byte length and JSON object header, or a header of the wrong shape.
        case notSafetensors
        /// The header or a tensor's data ends beyond the end of the file.
        case truncated
        /// A tensor with a dtype this reader does not convert (e.g. I64).
        case unsupported(name: String, dtype: String)
    }

    /// The bytes of the file: the header keys in a fixed order (`__metadata__`, then the tensors in order, each
    /// with dtype, shape, data_offsets), so the same tensors always give the same bytes.
    public func encoded() -> Data {
        var header = "{"
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(Self.quoted($0)):\(Self.quoted(metadata[$0]!))" }
            header += "\"__metadata__\":{" + pairs.joined(separator: ",") + "},"
        }
        var offset = 0
        header += tensors.map { tensor in
            let end = offset + 4 * tensor.values.count
            defer { offset = end }
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            return "\(Self.quoted(tensor.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
        }.joined(separator: ",")
        header += "}"
        var head = Array(header.utf8)
        while (8 + head.count) % 8 != 0 { head.append(0x20) }  // the reference writer aligns the data to 8 bytes
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + head.count + offset)
        withUnsafeBytes(of: UInt64(head.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += head
        for tensor in tensors {
            for v in tensor.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return Data(bytes)
    }

    /// The header's byte length N, the file's first eight bytes read as a little-endian UInt64 (nil if shorter).
    static func headerLength(of bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= 8 else { return nil }
        return bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// The data section of `encoded()`'s bytes, or of any file's: what follows the header.
    static func dataSection(of bytes: [UInt8]) -> ArraySlice<UInt8>? {
        guard let n = headerLength(of: bytes), n <= UInt64(bytes.count - 8) else { return nil }
        return bytes[(8 + Int(n))...]
    }

    /// Reads a container from a file's bytes.
    /// - Throws: `Malformed` saying what is wrong.
    public init(decoding bytes: [UInt8]) throws(Malformed) {
        guard let n = Self.headerLength(of: bytes) else { throw .notSafetensors }
        // The reference reader caps the header at 100 MB; a larger length means the bytes are something else.
        guard n >= 2, n <= 100_000_000 else { throw .notSafetensors }
        guard n <= UInt64(bytes.count - 8) else { throw .truncated }
        let headerBytes = bytes[8..<(8 + Int(n))]
        guard headerBytes.first == UInt8(ascii: "{"),
            let object = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any]
        else { throw .notSafetensors }
        let data = bytes[(8 + Int(n))...]
        var metadata: [String: String] = [:]
        var found: [(begin: Int, tensor: Tensor)] = []
        for (key, value) in object {
            if key == "__metadata__" {
                guard let pairs = value as? [String: Any] else { throw .notSafetensors }
                for (k, v) in pairs {
                    guard let s = v as? String else { throw .notSafetensors }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = Self.integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }),
                let offsets = Self.integers(entry["data_offsets"]), offsets.count == 2, 0 <= offsets[0], offsets[0] <= offsets[1]
            else { throw .notSafetensors }
            guard let width = Self.widths[dtype] else { throw .unsupported(name: key, dtype: dtype) }
            let count = shape.reduce(1, *)
            guard offsets[1] - offsets[0] == width * count else { throw .notSafetensors }
            guard offsets[1] <= data.count else { throw .truncated }
            let start = data.startIndex + offsets[0]
            let values = Self.floats(data[start..<(start + width * count)], dtype: dtype)
            found.append((offsets[0], Tensor(name: key, shape: shape, values: values)))
        }
        self.init(tensors: found.sorted { $0.begin < $1.begin }.map(\.tensor), metadata: metadata)
    }

    /// Bytes per value of each dtype the reader converts.
    static let widths = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2]

    /// The values of `bytes` (little-endian, `dtype`) as Float: F64 rounded, F16 and BF16 exactly.
    static func floats(_ bytes: ArraySlice<UInt8>, dtype: String) -> [Float] {
        bytes.withUnsafeBytes { raw in
            switch dtype {
            case "F64": (0..<(raw.count / 8)).map { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))) }
            case "F16": (0..<(raw.count / 2)).map { Self.half(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
            case "BF16": (0..<(raw.count / 2)).map { Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) << 16) }
            default: (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        }
    }

    /// IEEE 754 binary16 to Float, exactly: sign, 5-bit exponent (bias 15), 10-bit fraction; subnormals are
    /// fraction·2⁻²⁴, exponent 31 is ∞ or NaN.
    static func half(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 == 0 ? 1 : -1
        let exponent = Int((h >> 10) & 0x1F)
        let fraction = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// A JSON array of integers, or nil.
    static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for element in array {
            guard let number = element as? NSNumber, let exact = Int(exactly: number.doubleValue) else { return nil }
            result.append(exact)
        }
        return result
    }

    /// `s` as a JSON string: quotes and backslashes escaped, control characters as \u00XX.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
