/// An animated GIF: one panel per frame, written as `name.gp` (gnuplot's `gif animate` terminal)
/// and rendered to `name.gif`.
public struct Animation: Sendable {
    /// The file stem.
    public var name: String
    /// The frames, in order; each is drawn like a one-panel figure.
    public var frames: [Panel]
    /// The delay between frames in hundredths of a second.
    public var delay: Int
    /// The image width in pixels.
    public var width: Int
    /// The image height in pixels.
    public var height: Int

    /// An animation of `frames`.
    public init(name: String, frames: [Panel], delay: Int = 8, width: Int = 640, height: Int = 640) {
        precondition(!frames.isEmpty, "Animation \(name): no frames")
        self.name = name
        self.frames = frames
        self.delay = delay
        self.width = width
        self.height = height
    }
}
