// The learning half of the workbench in one import, for lessons and tools: each module below holds one
// concern and depends only on those above it.
//
//     Networks    autodiff, layer kinds (tape op and fast op), kernels, graphs, the U-Net and the MLP, checkpoints
//     Training    Algorithm 1 (NetworkTrainer), its options and optimisers
//     Sampling    the sampling loop (ReverseChain) and its update rules, guidance
//     Evaluation  the classifiers, the Fréchet distance, SWD and mode coverage, the variational bound, the
//                 pixel baselines (the data sets themselves are the Datasets module)
@_exported import Evaluation
@_exported import Networks
@_exported import Sampling
@_exported import Training
